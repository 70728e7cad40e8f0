DROP INDEX users_import_batch;
ALTER TABLE users DROP COLUMN activated_at;
ALTER TABLE users DROP COLUMN import_batch_id;
DROP TABLE import_changes;
DROP TABLE import_row_units;
DROP TABLE import_rows;
DROP TABLE import_batches;
