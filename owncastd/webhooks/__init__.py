"""Outgoing webhooks: the service (events, admin CRUD) and delivery over HTTP."""
