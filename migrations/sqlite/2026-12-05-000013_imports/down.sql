DROP TABLE users_search;
CREATE VIRTUAL TABLE users_search USING fts5(
    search_text,
    content = 'users',
    content_rowid = 'id',
    tokenize = 'trigram'
);
INSERT INTO users_search (users_search) VALUES ('rebuild');
DROP TABLE outbox_search;
CREATE VIRTUAL TABLE outbox_search USING fts5(
    recipient_lower,
    content = 'outbox_messages',
    content_rowid = 'id',
    tokenize = 'trigram'
);
INSERT INTO outbox_search (outbox_search) VALUES ('rebuild');
DROP INDEX users_import_batch;
ALTER TABLE users DROP COLUMN activated_at;
ALTER TABLE users DROP COLUMN import_batch_id;
DROP TABLE import_changes;
DROP TABLE import_row_units;
DROP TABLE import_rows;
DROP TABLE import_batches;
