DROP INDEX outbox_messages_log_kind;
DROP INDEX outbox_messages_log_status;
