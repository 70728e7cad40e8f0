DROP TRIGGER outbox_search_delete;
DROP TRIGGER outbox_search_insert;
DROP TABLE outbox_search;
DROP INDEX blocked_addresses_by_time;
DROP INDEX outbox_messages_resent_once;
ALTER TABLE outbox_messages DROP COLUMN resent_from;
