"""The web admin at `/admin/`: Owncast's page URLs, served as small server-rendered pages."""
