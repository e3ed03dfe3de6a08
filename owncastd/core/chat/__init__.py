"""Chat domain (reference §2): users and names, message rendering, the inbound pipeline,
moderation and the room that fans events out. No sockets, no HTTP, no SQL.

Modules:
  models      ChatUser, ChatMessage, scopes
  wire        Owncast's event JSON, encoded once per event (`Outgoing`)
  names       display-name rules (cleaning, forbidden words, generated names, colours)
  render      markdown → HTML sanitised to Owncast's allow-list
  pipeline    the inbound gate (size, flood timeout, rate limit on core.budget's token bucket,
              slur filter, established users)
  slurs       the profanity check behind the slur filter
  events      what listeners (webhooks) observe: ChatMessageSent, UserJoined, …
  ports       the protocols the room needs (repository, client outbox)
  room        ChatRoom: clients, fan-out, join/part timers, system messages
  moderation  hide/unhide, disable/enable, moderators, IP bans
"""
