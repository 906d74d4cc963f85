"""Labs time service (see ARCHITECTURE.md for what it owns)."""
