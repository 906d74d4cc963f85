"""Labs gateway: the REST and WebSocket edge in front of the gRPC services."""
