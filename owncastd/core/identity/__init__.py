"""Chat identity (develop §2): Fediverse one-time codes, the IndieAuth client for chat users and
the IndieAuth provider for the admin. Pure logic over small ports; the HTTP side is in
`owncastd.http.auth`, the fetches in `owncastd.federation.indieauth_http`."""
