"""Replay routes (issue 14)."""
