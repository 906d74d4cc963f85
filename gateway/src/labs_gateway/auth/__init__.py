"""Who is calling: bearer credentials (JWT or API key) turned into a verified Principal."""
