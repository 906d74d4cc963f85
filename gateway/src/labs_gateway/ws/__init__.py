"""Live updates over WebSocket: domain events and presence from NATS, fanned out per org."""
