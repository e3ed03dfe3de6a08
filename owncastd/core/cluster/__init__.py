"""The cluster's origin side in core (issue 18): edges' chat sockets as room clients, inbound
entries, heartbeats. Redis stays in the `owncastd.cluster` adapter, behind `ports.ClusterBus`."""
