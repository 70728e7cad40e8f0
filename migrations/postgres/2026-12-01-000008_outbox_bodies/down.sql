DROP INDEX outbox_messages_current_invitations;
ALTER TABLE outbox_messages DROP COLUMN current_invitation;
DROP INDEX users_invitation_message;
ALTER TABLE users ADD COLUMN invite_delivery TEXT CHECK (invite_delivery IN ('wartend', 'gesendet', 'fehlgeschlagen', 'blockiert', 'abgebrochen'));
UPDATE users SET invite_delivery = m.status FROM outbox_messages m WHERE m.id = users.invitation_message_id;
CREATE INDEX users_list_by_delivery ON users (invite_delivery, sort_name, id) WHERE deleted_at IS NULL;
ALTER TABLE users DROP COLUMN invitation_message_id;

ALTER TABLE outbox_messages ADD COLUMN body_text TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox_messages ADD COLUMN body_html TEXT NOT NULL DEFAULT '';
UPDATE outbox_messages SET body_text = b.body_text, body_html = b.body_html
FROM outbox_bodies b WHERE b.message_id = outbox_messages.id;
DROP TABLE outbox_bodies;
