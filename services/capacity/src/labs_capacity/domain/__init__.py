"""Capacity's rules as pure Python: no database, gRPC or NATS."""
