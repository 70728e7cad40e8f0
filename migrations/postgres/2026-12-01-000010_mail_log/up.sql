-- The email log: newest first, filtered by status or kind.
CREATE INDEX outbox_messages_log_status ON outbox_messages (status, created_at, id);
CREATE INDEX outbox_messages_log_kind ON outbox_messages (kind, created_at, id);
