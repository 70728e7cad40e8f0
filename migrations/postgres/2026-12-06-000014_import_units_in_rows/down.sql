ALTER TABLE import_batches DROP COLUMN missing_units;
CREATE TABLE import_row_units (
    batch_id BIGINT NOT NULL,
    line INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('group', 'area')),
    unit_key TEXT NOT NULL,
    unit_name TEXT NOT NULL,
    PRIMARY KEY (batch_id, line, kind, unit_key)
);
ALTER TABLE import_rows DROP COLUMN units;
