"""Identity's use cases: one handler per command, run inside one unit of work."""
