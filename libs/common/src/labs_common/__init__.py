"""Shared foundation of the Labs services. Never imports a service; services meet through protos."""
