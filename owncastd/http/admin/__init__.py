"""The admin API (HTTP Basic): config setters, status, metrics, users, tokens, webhooks,
chat moderation, server actions."""
