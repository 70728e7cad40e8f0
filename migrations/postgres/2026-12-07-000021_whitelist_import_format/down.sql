ALTER TABLE registration_imports DROP COLUMN format;
