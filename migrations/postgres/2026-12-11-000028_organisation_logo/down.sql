ALTER TABLE organisation_settings DROP COLUMN logo_version;
DROP TABLE organisation_logo;
