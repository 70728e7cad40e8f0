CREATE INDEX users_list_by_email ON users (email_lower, id) WHERE deleted_at IS NULL;
DROP TRIGGER users_counts_insert;
CREATE TRIGGER users_counts_insert AFTER INSERT ON users WHEN NEW.deleted_at IS NULL
BEGIN
    UPDATE user_status_counts SET live = live + 1 WHERE status = NEW.status;
END;
ALTER TABLE import_batches DROP COLUMN missing_units;
CREATE TABLE import_row_units (
    batch_id BIGINT NOT NULL,
    line INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('group', 'area')),
    unit_key TEXT NOT NULL,
    unit_name TEXT NOT NULL,
    PRIMARY KEY (batch_id, line, kind, unit_key)
) WITHOUT ROWID;
ALTER TABLE import_rows DROP COLUMN units;
