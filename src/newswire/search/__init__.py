"""Full-text search of published items: one function, a SQLite FTS5 and a PostgreSQL backend."""
