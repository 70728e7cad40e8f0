-- A staged row carries the groups and areas it adds ("group<TAB>name" or
-- "area<TAB>name", one per line) instead of a table of its own: 200,000
-- rows fewer to write for a preview of 100,000 people. The batch keeps the
-- names the instance lacks, for the preview page.
-- Mirrors migrations/postgres/2026-12-06-000014_import_units_in_rows.
ALTER TABLE import_rows ADD COLUMN units TEXT NOT NULL DEFAULT '';
UPDATE import_rows SET units = (
    SELECT group_concat(u.kind || char(9) || u.unit_name, char(10))
    FROM import_row_units u
    WHERE u.batch_id = import_rows.batch_id AND u.line = import_rows.line
) WHERE EXISTS (
    SELECT 1 FROM import_row_units u
    WHERE u.batch_id = import_rows.batch_id AND u.line = import_rows.line
);
DROP TABLE import_row_units;
ALTER TABLE import_batches ADD COLUMN missing_units TEXT NOT NULL DEFAULT '';

-- The people an import creates are counted once, by the import, not by a
-- counter update per person.
DROP TRIGGER users_counts_insert;
CREATE TRIGGER users_counts_insert AFTER INSERT ON users
    WHEN NEW.deleted_at IS NULL AND NEW.import_batch_id IS NULL
BEGIN
    UPDATE user_status_counts SET live = live + 1 WHERE status = NEW.status;
END;

-- The list by address walks users_email_live: in SQLite every index entry
-- ends with the rowid (the id), so (email_lower) orders as (email_lower, id)
-- and the planner takes it. The second index only cost every new, changed
-- and removed person a write.
DROP INDEX users_list_by_email;
