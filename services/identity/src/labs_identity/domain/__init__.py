"""Identity's rules, free of I/O."""
