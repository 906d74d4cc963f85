"""Identity's adapters: tables, repositories, password hashing, token signing."""
