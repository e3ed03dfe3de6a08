"""The cluster adapter (issue 18): the origin's side of the Redis bus.

Contract (shared with the edges; see the README's "Cluster" section): chat frames origin → edges
on pub/sub `P:chat:out` as `TARGET\\nFRAME`; client events edges → origin on the stream
`P:chat:in` (consumer group `origin`); control messages on `P:cluster:control`; edge heartbeats
in hashes `P:edge:<id>` (with a TTL) and the sorted set `P:edges`. Imported only when
`[cluster] role` is not "single": a single node never loads the Redis client.
"""
