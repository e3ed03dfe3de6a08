"""Chat routes for viewers and moderators: registration, history, emoji, the ASGI /ws
fallback."""
