"""ActivityPub routes (issue 11): discovery, the actor and its collections, objects, the inbox,
and the admin follower routes. Registered by :func:`routes.register_federation`."""
