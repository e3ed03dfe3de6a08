"""The Chatwoot bridge's pure logic (issue 15): viewers' private threads with the streamer's
team, the persistent outbox towards Chatwoot, webhook events back. No web/socket/sqlite imports:
the Chatwoot client (`ChatwootApi`) and the store (`BridgeRepository`) are ports."""
