"""PostgreSQL access: engine, unit of work with per-transaction tenant scope, platform tables."""
