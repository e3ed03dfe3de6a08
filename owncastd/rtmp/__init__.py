"""RTMP ingest: a sans-IO codec plus a thin trio adapter.

Sans-IO (bytes in → events/bytes out; no sockets, no trio):

* :mod:`.handshake` — C0/C1 → S0/S1/S2 → C2, simple and Flash Player 9 digest.
* :mod:`.chunks` — chunk stream reader/writer (message reassembly, chunk sizes, timestamps).
* :mod:`.amf0`, :mod:`.amf3`, :mod:`.amftypes` — AMF values of commands and metadata.
* :mod:`.control` — protocol control and User Control payloads.
* :mod:`.flv`, :mod:`.metadata` — RTMP media → FLV tags; `onMetaData` → StreamDetails.
* :mod:`.session`, :mod:`.events` — one server connection's state machine and its events.
* :mod:`.admission` — waiting slots per address and a budget of wrong stream keys.
* :mod:`.decoding` — AMF decode limits and the per-connection decode budget.

trio: :mod:`.server` — ``RtmpServer(gate, host, port, *, read_timeout=10.0, max_waiting=16,
max_waiting_per_client=2, handshake_timeout=5.0, publish_timeout=15.0, key_guard=None)``.
"""
