DROP TABLE access_requests;
ALTER TABLE organisation_settings DROP COLUMN open_registration;
