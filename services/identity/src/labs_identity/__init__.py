"""Labs identity service: organizations, members and roles, sessions, invitations, API keys, JWKS."""
