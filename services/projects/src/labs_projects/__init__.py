"""Labs projects service (see ARCHITECTURE.md for what it owns)."""
