ALTER TABLE bulk_tasks DROP COLUMN scheduled_for;
DROP INDEX bulk_tasks_form_key;
ALTER TABLE bulk_tasks DROP COLUMN form_key;
ALTER TABLE bulk_tasks DROP COLUMN skipped_self;
ALTER TABLE bulk_tasks DROP COLUMN skipped_status;
DELETE FROM bulk_tasks WHERE kind <> 'invite_created';
ALTER TABLE bulk_tasks DROP CONSTRAINT bulk_tasks_kind_check;
ALTER TABLE bulk_tasks ADD CONSTRAINT bulk_tasks_kind_check CHECK (kind IN ('invite_created'));
ALTER TABLE users DROP COLUMN invitation_reminded_at;
ALTER TABLE organisation_settings DROP COLUMN reminder_days_before;
DROP TABLE mail_templates;
DROP INDEX outbox_messages_scheduled;
UPDATE outbox_messages SET status = 'abgebrochen' WHERE status = 'geplant';
DELETE FROM outbox_messages WHERE kind IN ('reminder', 'access_approved', 'access_rejected');
ALTER TABLE outbox_messages DROP CONSTRAINT outbox_messages_status_check;
ALTER TABLE outbox_messages ADD CONSTRAINT outbox_messages_status_check
    CHECK (status IN ('wartend', 'gesendet', 'fehlgeschlagen', 'blockiert', 'abgebrochen'));
ALTER TABLE outbox_messages DROP CONSTRAINT outbox_messages_kind_check;
ALTER TABLE outbox_messages ADD CONSTRAINT outbox_messages_kind_check
    CHECK (kind IN ('invitation', 'password_reset', 'email_confirmation', 'test'));
