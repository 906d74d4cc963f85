"""Labs integrations service (see ARCHITECTURE.md for what it owns)."""
