"""Labs capacity service (see ARCHITECTURE.md for what it owns)."""
