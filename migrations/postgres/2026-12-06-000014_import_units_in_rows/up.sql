-- A staged row carries the groups and areas it adds ("group<TAB>name" or
-- "area<TAB>name", one per line) instead of a table of its own: 200,000
-- rows fewer to write for a preview of 100,000 people. The batch keeps the
-- names the instance lacks, for the preview page.
-- Mirrors migrations/sqlite/2026-12-06-000014_import_units_in_rows (which
-- also counts an import's people once; PostgreSQL counts per statement).
ALTER TABLE import_rows ADD COLUMN units TEXT NOT NULL DEFAULT '';
UPDATE import_rows r SET units = u.units
FROM (
    SELECT batch_id, line, string_agg(kind || E'\t' || unit_name, E'\n') AS units
    FROM import_row_units GROUP BY batch_id, line
) u
WHERE u.batch_id = r.batch_id AND u.line = r.line;
DROP TABLE import_row_units;
ALTER TABLE import_batches ADD COLUMN missing_units TEXT NOT NULL DEFAULT '';
