-- PostgreSQL checks memberships once per statement instead of by a foreign
-- key per row (migrations/postgres/2026-12-07-000020_memberships_checked_per_statement).
-- SQLite keeps its foreign keys: there a check is a lookup, not a query.
SELECT 1;
