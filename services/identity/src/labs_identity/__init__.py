"""Labs identity: organizations, members and roles, sessions, invitations, API keys, JWKS."""
