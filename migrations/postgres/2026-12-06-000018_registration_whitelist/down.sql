DROP TABLE registration_entries;
DROP TABLE registration_import_rows;
DROP TABLE registration_imports;
ALTER TABLE organisation_settings DROP COLUMN registration_criteria;
