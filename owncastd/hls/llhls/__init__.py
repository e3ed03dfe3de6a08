"""Low-latency HLS (issue 13): ffmpeg's fragmented MP4 cut into parts and segments in memory.

Sans-IO pieces: `boxes` (ISO BMFF box parsing), `cutter` (parts and segments), `window`
(the bounded in-memory window per variant), `playlist` (RFC 8216bis playlists). `live` holds
the windows for the web path with a trio event per update; `pipes` reads ffmpeg's pipes.
"""
