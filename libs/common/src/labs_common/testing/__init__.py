"""Pytest support: embedded PostgreSQL and NATS started once per session (or real ones)."""
