"""Chatwoot bridge routes: the webhook endpoint Chatwoot's agent bot posts to, and the viewer's
private thread."""
