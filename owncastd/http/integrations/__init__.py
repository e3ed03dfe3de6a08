"""The integrations API: bots with scoped bearer tokens."""
