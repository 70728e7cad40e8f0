-- How an undo of an update import went: people whose changed values went
-- back, and people of whom a value stayed because it was changed since.
ALTER TABLE import_batches ADD COLUMN restored_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE import_batches ADD COLUMN unrestored_count INTEGER NOT NULL DEFAULT 0;
