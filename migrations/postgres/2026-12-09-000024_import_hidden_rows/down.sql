ALTER TABLE import_batches DROP COLUMN skip_hidden;
ALTER TABLE import_batches DROP COLUMN hidden_lines;
