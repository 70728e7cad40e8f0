-- The organisation's logo, re-encoded by Einlass (PNG within 800 x 240 px,
-- no metadata); one at most. The settings carry its version (NULL: none),
-- so pages know of it without reading it.
CREATE TABLE organisation_logo (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    png BLOB NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
ALTER TABLE organisation_settings ADD COLUMN logo_version TEXT;
