"""Chat identity routes (develop §2): `/api/auth/fediverse…`, `/api/auth/indieauth…` and the
admin's IndieAuth provider `/api/auth/provider/indieauth`."""
