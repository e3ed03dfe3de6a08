"""The web port's transport: the front door, connection limits, accept, the raw chat
websocket and the bridge to hypercorn."""
