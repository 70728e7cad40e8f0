-- The worker's rows stay narrow. Every claim and every recorded answer wrote
-- a new version of the whole outbox row, HTML part included, and every
-- answer rewrote the user's wide, many-times-indexed row for its delivery
-- state. Now:
-- * the parts of a message (written once, read when it is sent or shown)
--   live in outbox_bodies;
-- * the user points at his current invitation message, whose status is the
--   delivery state the list and the user page show (the message carries the
--   flag current_invitation for the list's filter).
-- Mirrors migrations/sqlite/2026-12-01-000008_outbox_bodies.

CREATE TABLE outbox_bodies (
    message_id BIGINT PRIMARY KEY REFERENCES outbox_messages (id) ON DELETE CASCADE,
    -- The text and HTML parts with the link left out (a marker stands for it).
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL
);
INSERT INTO outbox_bodies (message_id, body_text, body_html)
SELECT id, body_text, body_html FROM outbox_messages;
ALTER TABLE outbox_messages DROP COLUMN body_text;
ALTER TABLE outbox_messages DROP COLUMN body_html;

ALTER TABLE users ADD COLUMN invitation_message_id BIGINT REFERENCES outbox_messages (id) ON DELETE SET NULL;
UPDATE users SET invitation_message_id = m.latest
FROM (SELECT user_id, max(id) AS latest FROM outbox_messages
      WHERE kind = 'invitation' AND user_id IS NOT NULL GROUP BY user_id) m
WHERE m.user_id = users.id;
DROP INDEX users_list_by_delivery;
ALTER TABLE users DROP COLUMN invite_delivery;
CREATE INDEX users_invitation_message ON users (invitation_message_id) WHERE invitation_message_id IS NOT NULL;
-- The same fact on the message's side, for the list's delivery filter and
-- its count: an index-only count of the current invitations in one state,
-- instead of a lookup per user. Set with the pointer, cleared when the user
-- gets a newer invitation or is deleted.
ALTER TABLE outbox_messages ADD COLUMN current_invitation BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE outbox_messages SET current_invitation = TRUE
WHERE id IN (SELECT invitation_message_id FROM users
             WHERE deleted_at IS NULL AND invitation_message_id IS NOT NULL);
CREATE INDEX outbox_messages_current_invitations ON outbox_messages (status, user_id) WHERE current_invitation;
