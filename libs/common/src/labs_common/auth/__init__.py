"""Who is calling: roles, the verified principal of a request, access-token verification."""
