-- The email log's "Erneut senden", the list of blocked addresses and the
-- log's recipient search.
-- Mirrors migrations/postgres/2026-12-01-000011_resend_blocks_search.

-- A copy made by "Erneut senden" names the message it was sent again for;
-- each message is sent again at most once (a double click, or two admins at
-- the same instant, make one copy; the copy itself can be sent again).
ALTER TABLE outbox_messages ADD COLUMN resent_from BIGINT REFERENCES outbox_messages (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX outbox_messages_resent_once ON outbox_messages (resent_from) WHERE resent_from IS NOT NULL;

-- The blocked addresses, newest first.
CREATE INDEX blocked_addresses_by_time ON blocked_addresses (blocked_at, address_lower);

-- Part of the recipient's address: an FTS5 trigram index (LIKE '%abc%' for
-- 3+ characters) kept in step by triggers; PostgreSQL uses pg_trgm. The
-- address of a message never changes, so no update trigger is needed.
CREATE VIRTUAL TABLE outbox_search USING fts5(
    recipient_lower,
    content = 'outbox_messages',
    content_rowid = 'id',
    tokenize = 'trigram'
);
INSERT INTO outbox_search (outbox_search) VALUES ('rebuild');
CREATE TRIGGER outbox_search_insert AFTER INSERT ON outbox_messages
BEGIN
    INSERT INTO outbox_search (rowid, recipient_lower) VALUES (NEW.id, NEW.recipient_lower);
END;
CREATE TRIGGER outbox_search_delete AFTER DELETE ON outbox_messages
BEGIN
    INSERT INTO outbox_search (outbox_search, rowid, recipient_lower) VALUES ('delete', OLD.id, OLD.recipient_lower);
END;
