-- A refused row keeps the cells of its mapped columns as the file had them
-- (each as its field, a tab, its length in bytes, a tab and the cell), so that its line in the error list is the
-- file's own and an upload of the list refuses it again until it is fixed.
-- Empty for every other row.
ALTER TABLE import_rows ADD COLUMN cells TEXT NOT NULL DEFAULT '';
