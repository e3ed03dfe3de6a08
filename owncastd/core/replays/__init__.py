"""Replays (issue 14): recordings of broadcasts, as pure data and rules (no files, no SQL)."""
