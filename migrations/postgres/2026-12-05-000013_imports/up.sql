-- Excel import with preview and undo: a batch per uploaded file, its staged
-- rows, what an update changed, and the batch that created each person.
-- Mirrors migrations/sqlite/2026-12-05-000013_imports.

CREATE TABLE import_batches (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- datei: a workbook with several sheets, waiting for the admin's choice;
    -- zuordnung: the columns need the admin's mapping; vorschau: rows staged,
    -- nothing written to users yet; importiert; rueckgaengig (undone);
    -- teilweise_rueckgaengig (undone but for people who had activated);
    -- verworfen (a preview the admin dropped or that went stale).
    state TEXT NOT NULL CHECK (state IN ('datei', 'zuordnung', 'vorschau', 'importiert',
        'rueckgaengig', 'teilweise_rueckgaengig', 'verworfen')),
    -- create: new people only; update: rows that match a person by personnel
    -- number (or email) change him.
    mode TEXT NOT NULL CHECK (mode IN ('create', 'update')),
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    sheet_name TEXT,
    -- The row holding the column titles (as the spreadsheet numbers it).
    header_line INTEGER,
    -- One field key (or nothing) per column, separated by commas.
    mapping TEXT NOT NULL DEFAULT '',
    -- Whether groups and areas the file names but the instance lacks are
    -- created by the import.
    create_missing_units BOOLEAN NOT NULL DEFAULT FALSE,
    actor_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    actor_label TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    committed_at TIMESTAMP,
    undone_at TIMESTAMP,
    undone_by TEXT,
    -- Raised whenever the staged rows are made again; the commit form names
    -- the version it showed.
    preview_version INTEGER NOT NULL DEFAULT 0,
    rows_total INTEGER NOT NULL DEFAULT 0,
    rows_new INTEGER NOT NULL DEFAULT 0,
    rows_update INTEGER NOT NULL DEFAULT 0,
    rows_unchanged INTEGER NOT NULL DEFAULT 0,
    rows_error INTEGER NOT NULL DEFAULT 0,
    created_count INTEGER NOT NULL DEFAULT 0,
    updated_count INTEGER NOT NULL DEFAULT 0,
    removed_count INTEGER NOT NULL DEFAULT 0,
    kept_count INTEGER NOT NULL DEFAULT 0,
    -- The uploaded file while a sheet is to be chosen, then the rows as read
    -- (so a new mapping needs no second read); both dropped at the commit.
    upload BYTEA,
    grid BYTEA
);
CREATE INDEX import_batches_time ON import_batches (created_at, id);

-- The rows of a preview, each with its outcome. (No foreign key to the
-- batch: checking one for each of 100,000 staged rows costs more than the
-- rows themselves, and batches are never deleted.)
CREATE TABLE import_rows (
    batch_id BIGINT NOT NULL,
    line INTEGER NOT NULL,
    -- neu, aenderung, unveraendert, fehler
    outcome TEXT NOT NULL CHECK (outcome IN ('neu', 'aenderung', 'unveraendert', 'fehler')),
    -- Why not, or what changes (coded; the pages put it in words).
    problems TEXT NOT NULL DEFAULT '',
    salutation TEXT,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    username TEXT NOT NULL,
    email TEXT,
    email_lower TEXT,
    personnel_number TEXT,
    user_type TEXT NOT NULL,
    -- Group and area names as the file gives them, one per line.
    groups TEXT NOT NULL DEFAULT '',
    areas TEXT NOT NULL DEFAULT '',
    sort_name TEXT NOT NULL,
    search_text TEXT NOT NULL,
    -- Update mode: the person the row changes.
    target_user_id BIGINT,
    PRIMARY KEY (batch_id, line)
);
-- (A page of one outcome walks the batch in line order: an index more would
-- cost every staged row a second insert.)

-- The groups and areas of each row by name key, for the commit's joins.
CREATE TABLE import_row_units (
    batch_id BIGINT NOT NULL,
    line INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('group', 'area')),
    unit_key TEXT NOT NULL,
    unit_name TEXT NOT NULL,
    PRIMARY KEY (batch_id, line, kind, unit_key)
);

-- What an import in update mode changed, to put it back on undo: a field's
-- value before and after, or a membership it added (field group:<id>,
-- area:<id>).
CREATE TABLE import_changes (
    batch_id BIGINT NOT NULL REFERENCES import_batches (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    PRIMARY KEY (batch_id, user_id, field)
);

-- The batch that created a person (undo removes exactly these). No foreign
-- key: batches are never deleted, and SQLite could not drop such a column.
ALTER TABLE users ADD COLUMN import_batch_id BIGINT;
-- When the person first took his account (activation, or a reset that
-- made him active); the export lists it.
ALTER TABLE users ADD COLUMN activated_at TIMESTAMP;
CREATE INDEX users_import_batch ON users (import_batch_id, id) WHERE import_batch_id IS NOT NULL;

-- An import inserts (and its undo removes) many people in one statement: the
-- status counters get one delta per status and statement, not one per row.
-- (A statement trigger with transition tables cannot name columns, so the
-- update trigger runs for every update and adds nothing when no live
-- person's status changed.)
DROP TRIGGER users_maintain_status_counts ON users;
CREATE FUNCTION users_count_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO user_status_count_deltas (status, delta)
        SELECT status, sum(d) FROM (
            SELECT status, -1 AS d FROM old_rows WHERE deleted_at IS NULL
            UNION ALL
            SELECT status, 1 AS d FROM new_rows WHERE deleted_at IS NULL
        ) changed
        GROUP BY status
        HAVING sum(d) <> 0;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_count_updated AFTER UPDATE ON users
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION users_count_updated();
CREATE FUNCTION users_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO user_status_count_deltas (status, delta)
        SELECT status, count(*) FROM inserted WHERE deleted_at IS NULL GROUP BY status;
    RETURN NULL;
END
$$;
CREATE FUNCTION users_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO user_status_count_deltas (status, delta)
        SELECT status, -count(*) FROM deleted WHERE deleted_at IS NULL GROUP BY status;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_count_inserted AFTER INSERT ON users
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION users_count_inserted();
CREATE TRIGGER users_count_deleted AFTER DELETE ON users
    REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION users_count_deleted();
