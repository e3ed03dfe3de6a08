"""Federation's core side: the ports the rest of the daemon talks to (no web libraries)."""
