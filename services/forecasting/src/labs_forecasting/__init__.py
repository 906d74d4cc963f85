"""Labs forecasting service (see ARCHITECTURE.md for what it owns)."""
