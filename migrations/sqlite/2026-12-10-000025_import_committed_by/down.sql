ALTER TABLE import_batches ADD COLUMN rows_total INTEGER NOT NULL DEFAULT 0;
UPDATE import_batches SET rows_total = rows_new + rows_update + rows_unchanged + rows_error;
ALTER TABLE import_batches DROP COLUMN committed_by;
