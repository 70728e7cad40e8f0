-- The email log's "Erneut senden", the list of blocked addresses and the
-- log's recipient search.
-- Mirrors migrations/sqlite/2026-12-01-000011_resend_blocks_search.

-- A copy made by "Erneut senden" names the message it was sent again for;
-- each message is sent again at most once (a double click, or two admins at
-- the same instant, make one copy; the copy itself can be sent again).
ALTER TABLE outbox_messages ADD COLUMN resent_from BIGINT REFERENCES outbox_messages (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX outbox_messages_resent_once ON outbox_messages (resent_from) WHERE resent_from IS NOT NULL;

-- The blocked addresses, newest first.
CREATE INDEX blocked_addresses_by_time ON blocked_addresses (blocked_at, address_lower);

-- Part of the recipient's address: a pg_trgm GIN index where the extension
-- exists (see 000003); otherwise the search walks the log's time index.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX outbox_messages_recipient_trgm ON outbox_messages USING gin (recipient_lower gin_trgm_ops);
    END IF;
END
$$;
