"""The Chatwoot adapter (issue 15): the REST client behind `core.chatwoot.ports.ChatwootApi`,
and the one-time setup (API inbox, agent bot, settings) that `owncastctl chatwoot setup` runs."""
