"""Labs billing service (see ARCHITECTURE.md for what it owns)."""
