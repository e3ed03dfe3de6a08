"""Replays adapter (issue 14): recording broadcasts to disk, their files, MP4 export."""
