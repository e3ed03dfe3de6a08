"""The web port: quart-trio routes behind owncastd's own front door."""

from owncastd.http.asyncio_server_stub import import_quart

import_quart()  # before any module here imports quart (startup: see asyncio_server_stub)
