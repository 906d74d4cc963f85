"""Pure ASGI middleware (no BaseHTTPMiddleware: it would buffer bodies and split contexts)."""
