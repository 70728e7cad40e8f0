ALTER TABLE import_batches DROP COLUMN unrestored_count;
ALTER TABLE import_batches DROP COLUMN restored_count;
