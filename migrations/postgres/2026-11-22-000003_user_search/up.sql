-- Substring search over users.search_text without scanning the table: a
-- pg_trgm GIN index serves LIKE '%abc%' for 3+ characters. pg_trgm is a trusted
-- extension (the database owner may create it); where it cannot be created,
-- search still works, as a scan. SQLite uses an FTS5 trigram table instead.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm is not available: user search scans the table';
END
$$;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX users_search_trgm ON users USING gin (search_text gin_trgm_ops)
            WHERE deleted_at IS NULL;
    END IF;
END
$$;
