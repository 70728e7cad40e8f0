-- Registrierung: the whitelist. The instance's criteria (which of first
-- name, last name, personnel number, birth date a registration must
-- match) are a setting; entries are added by form or imported from a
-- spreadsheet (a staged preview, then all rows at once); a match admits
-- one person and uses the entry.
ALTER TABLE organisation_settings ADD COLUMN registration_criteria TEXT NOT NULL
    DEFAULT 'first_name,last_name,personnel_number';

CREATE TABLE registration_imports (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_name TEXT NOT NULL,
    actor_label TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    -- zuordnung: the file's columns wait for the admin to say what they are.
    state TEXT NOT NULL CHECK (state IN ('zuordnung', 'vorschau', 'importiert', 'verworfen', 'rueckgaengig')),
    rows_new INTEGER NOT NULL,
    rows_refused INTEGER NOT NULL,
    finished_at TIMESTAMP,
    -- While columns are being mapped: the rows as read, the header row and
    -- the mapping (field keys by column).
    header_line INTEGER,
    mapping TEXT NOT NULL DEFAULT '',
    grid BYTEA
);

-- The rows of an import as checked for its preview: `problem` NULL for a
-- new entry, else why not (a code the page words).
CREATE TABLE registration_import_rows (
    import_id BIGINT NOT NULL REFERENCES registration_imports (id) ON DELETE CASCADE,
    line INTEGER NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    personnel_number TEXT,
    birth_date TEXT,
    user_type TEXT NOT NULL,
    group_id BIGINT,
    problem TEXT,
    other_line INTEGER,
    PRIMARY KEY (import_id, line)
);

CREATE TABLE registration_entries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    -- As registrations compare them (see domain::registration).
    first_key TEXT NOT NULL,
    last_key TEXT NOT NULL,
    personnel_number TEXT,
    -- JJJJ-MM-TT
    birth_date TEXT,
    user_type TEXT NOT NULL,
    group_id BIGINT REFERENCES user_groups (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    created_by_label TEXT NOT NULL,
    import_id BIGINT REFERENCES registration_imports (id) ON DELETE SET NULL,
    used_at TIMESTAMP,
    used_by BIGINT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX registration_entries_names ON registration_entries (last_key, first_key) WHERE used_at IS NULL;
-- One open entry per personnel number.
CREATE UNIQUE INDEX registration_entries_number ON registration_entries (personnel_number)
    WHERE used_at IS NULL AND personnel_number IS NOT NULL;
CREATE INDEX registration_entries_import ON registration_entries (import_id);
