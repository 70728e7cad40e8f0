DROP INDEX IF EXISTS outbox_messages_recipient_trgm;
DROP INDEX blocked_addresses_by_time;
DROP INDEX outbox_messages_resent_once;
ALTER TABLE outbox_messages DROP COLUMN resent_from;
