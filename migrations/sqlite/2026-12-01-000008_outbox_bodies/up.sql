-- The worker's rows stay narrow. Every claim and every recorded answer wrote
-- a new version of the whole outbox row, HTML part included, and every
-- answer rewrote the user's wide, many-times-indexed row for its delivery
-- state. Now:
-- * the parts of a message (written once, read when it is sent or shown)
--   live in outbox_bodies;
-- * the user points at his current invitation message, whose status is the
--   delivery state the list and the user page show.
-- Mirrors migrations/postgres/2026-12-01-000008_outbox_bodies.

CREATE TABLE outbox_bodies (
    message_id INTEGER PRIMARY KEY NOT NULL REFERENCES outbox_messages (id) ON DELETE CASCADE,
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
-- The list's delivery filter: the invitation messages in one state.
CREATE INDEX outbox_messages_invitations_by_status ON outbox_messages (status, id) WHERE kind = 'invitation';
