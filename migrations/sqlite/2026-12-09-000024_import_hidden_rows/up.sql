-- Rows the file hides (by hand, by a filter, in a collapsed outline): their
-- lines in the chosen sheet, as ranges ("7-9,12"), for the preview to say so;
-- and the admin's choice to leave them out of the import.
ALTER TABLE import_batches ADD COLUMN hidden_lines TEXT NOT NULL DEFAULT '';
ALTER TABLE import_batches ADD COLUMN skip_hidden BOOLEAN NOT NULL DEFAULT FALSE;
