"""Scheduled events (develop §5.2): one-off events and RRULE series, their occurrences, ICS."""
