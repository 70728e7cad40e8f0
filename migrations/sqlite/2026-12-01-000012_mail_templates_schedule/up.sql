-- Editable mail templates, reminders, scheduled invitations, and the kinds
-- of bulk action on the user list.
-- Mirrors migrations/postgres/2026-12-01-000012_mail_templates_schedule.
--
-- SQLite cannot change a CHECK constraint in place; each widened column is
-- swapped for a new one (add, copy, drop, rename), its indexes rebuilt. No
-- table is dropped, so no foreign key acts on any row.

-- New kinds of message: the reminder, and the answers to access requests.
-- New delivery state: geplant (an invitation waiting for its send time; its
-- link and its text are made when that time comes).
DROP INDEX outbox_messages_log_status;
DROP INDEX outbox_messages_log_kind;
DROP INDEX outbox_messages_current_invitations;
DROP INDEX outbox_messages_due;
ALTER TABLE outbox_messages ADD COLUMN kind_new TEXT NOT NULL DEFAULT 'test'
    CHECK (kind_new IN ('invitation', 'reminder', 'password_reset', 'email_confirmation', 'access_approved', 'access_rejected', 'test'));
UPDATE outbox_messages SET kind_new = kind;
ALTER TABLE outbox_messages DROP COLUMN kind;
ALTER TABLE outbox_messages RENAME COLUMN kind_new TO kind;
ALTER TABLE outbox_messages ADD COLUMN status_new TEXT NOT NULL DEFAULT 'wartend'
    CHECK (status_new IN ('geplant', 'wartend', 'gesendet', 'fehlgeschlagen', 'blockiert', 'abgebrochen'));
UPDATE outbox_messages SET status_new = status;
ALTER TABLE outbox_messages DROP COLUMN status;
ALTER TABLE outbox_messages RENAME COLUMN status_new TO status;
CREATE INDEX outbox_messages_log_status ON outbox_messages (status, created_at, id);
CREATE INDEX outbox_messages_log_kind ON outbox_messages (kind, created_at, id);
CREATE INDEX outbox_messages_current_invitations ON outbox_messages (status, user_id) WHERE current_invitation;
CREATE INDEX outbox_messages_due ON outbox_messages (next_attempt_at, id) WHERE status = 'wartend';
-- Scheduled invitations by their send time.
CREATE INDEX outbox_messages_scheduled ON outbox_messages (next_attempt_at, id) WHERE status = 'geplant';

-- Subject and body per kind and language, as the admins edited them; a kind
-- without a row uses the shipped text ("Auf Standard zurücksetzen" deletes
-- the row).
CREATE TABLE mail_templates (
    kind TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder', 'password_reset', 'email_confirmation', 'access_approved', 'access_rejected')),
    language TEXT NOT NULL CHECK (language IN ('de', 'en')),
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (kind, language)
);

-- Reminders: N days before an invitation expires (0 = off, the default);
-- once per invitation (a new invitation clears the mark).
ALTER TABLE organisation_settings ADD COLUMN reminder_days_before INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN invitation_reminded_at TIMESTAMP;

-- Bulk actions on the user list run as tasks too.
DROP INDEX bulk_tasks_one_running;
ALTER TABLE bulk_tasks ADD COLUMN kind_new TEXT NOT NULL DEFAULT 'invite_created'
    CHECK (kind_new IN ('invite_created', 'invite', 'resend', 'revoke', 'reactivate', 'deactivate', 'delete'));
UPDATE bulk_tasks SET kind_new = kind;
ALTER TABLE bulk_tasks DROP COLUMN kind;
ALTER TABLE bulk_tasks RENAME COLUMN kind_new TO kind;
CREATE UNIQUE INDEX bulk_tasks_one_running ON bulk_tasks (kind) WHERE state = 'laufend' AND kind = 'invite_created';
-- What the list's bulk actions leave out when they start: the wrong status
-- for the action; the acting admin himself (deactivate, delete). A task
-- started from a confirmation form carries its key: a double submit or a
-- second tab finds the task the first one started.
ALTER TABLE bulk_tasks ADD COLUMN skipped_status BIGINT NOT NULL DEFAULT 0;
ALTER TABLE bulk_tasks ADD COLUMN skipped_self BIGINT NOT NULL DEFAULT 0;
ALTER TABLE bulk_tasks ADD COLUMN form_key TEXT;
CREATE UNIQUE INDEX bulk_tasks_form_key ON bulk_tasks (form_key) WHERE form_key IS NOT NULL;
-- A bulk invitation may be scheduled: its messages are geplant until then.
ALTER TABLE bulk_tasks ADD COLUMN scheduled_for TIMESTAMP;
