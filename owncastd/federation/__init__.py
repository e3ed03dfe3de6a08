"""ActivityPub federation (issue 11): the server's actor key, HTTP signatures, discovery, the
inbox and the deliveries to followers' inboxes. An adapter: core code reaches it through the
ports in :mod:`owncastd.core.federation.ports`."""
