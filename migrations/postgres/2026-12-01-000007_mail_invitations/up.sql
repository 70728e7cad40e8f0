-- Mail and invitations: the outbox (every message is written in the
-- transaction of the change that causes it and sent by the worker), blocked
-- addresses, the invitation state on the user, the midnight rule, and the
-- organisation's app that people are sent to once they are in.
-- Mirrors migrations/sqlite/2026-12-01-000007_mail_invitations.

CREATE TABLE outbox_messages (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Random; the Message-ID is built from it, so a resent copy keeps it.
    message_key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('invitation', 'password_reset', 'email_confirmation', 'test')),
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    recipient TEXT NOT NULL,
    recipient_lower TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('de', 'en')),
    subject TEXT NOT NULL,
    -- The text and HTML parts with the link left out (a marker stands for it).
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    -- The token of the link, sealed with the instance key (never in clear);
    -- removed once the message has left through SMTP.
    sealed_token TEXT,
    link_path TEXT,
    status TEXT NOT NULL CHECK (status IN ('wartend', 'gesendet', 'fehlgeschlagen', 'blockiert', 'abgebrochen')),
    -- A waiting message is due at next_attempt_at; claiming it moves that to
    -- the end of the lease, so a dead worker's message is due again then.
    next_attempt_at TIMESTAMP NOT NULL,
    leased_by TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    give_up_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    -- 'smtp' or 'local' (the in-app mailbox), once sent.
    transport TEXT,
    last_answer TEXT,
    -- Why it failed, for advice: 'rejected', 'auth', 'tls', 'gave_up', 'blocked'.
    failure_kind TEXT
);
CREATE UNIQUE INDEX outbox_messages_key ON outbox_messages (message_key);
CREATE INDEX outbox_messages_due ON outbox_messages (next_attempt_at, id) WHERE status = 'wartend';
CREATE INDEX outbox_messages_user ON outbox_messages (user_id, id);
CREATE INDEX outbox_messages_time ON outbox_messages (created_at, id);
CREATE INDEX outbox_messages_local ON outbox_messages (transport, sent_at, id);

CREATE TABLE blocked_addresses (
    address_lower TEXT PRIMARY KEY NOT NULL,
    reason TEXT NOT NULL,
    smtp_answer TEXT,
    message_id BIGINT REFERENCES outbox_messages (id) ON DELETE SET NULL,
    blocked_at TIMESTAMP NOT NULL
);

-- The link of a live invitation runs out at this instant (fixed when issued).
ALTER TABLE users ADD COLUMN invitation_expires_at TIMESTAMP;
-- Delivery of the last invitation mail: wartend, gesendet, fehlgeschlagen, blockiert.
ALTER TABLE users ADD COLUMN invite_delivery TEXT CHECK (invite_delivery IN ('wartend', 'gesendet', 'fehlgeschlagen', 'blockiert', 'abgebrochen'));
-- Reactivated by an admin: must sign in before this instant (the next
-- midnight of the instance's time zone) or the nightly rule makes him inaktiv.
ALTER TABLE users ADD COLUMN sign_in_deadline TIMESTAMP;
CREATE INDEX users_list_by_delivery ON users (invite_delivery, sort_name, id) WHERE deleted_at IS NULL;
CREATE INDEX users_invitation_expiry ON users (invitation_expires_at) WHERE status = 'eingeladen' AND deleted_at IS NULL;
CREATE INDEX users_sign_in_deadline ON users (sign_in_deadline) WHERE sign_in_deadline IS NOT NULL;

ALTER TABLE organisation_settings ADD COLUMN app_name TEXT NOT NULL DEFAULT '';
ALTER TABLE organisation_settings ADD COLUMN app_url TEXT NOT NULL DEFAULT '';
ALTER TABLE organisation_settings ADD COLUMN welcome_text TEXT NOT NULL DEFAULT '';

-- Live users per status: the trigger no longer updates the one counter row
-- per changed user (inviting 10,000 people in one statement made 10,000 new
-- versions of that row, each slower to reach than the last) but appends
-- a +1/-1 to user_status_count_deltas; reads add the deltas to the counters
-- and the fold-counts job moves them over every few seconds.
CREATE TABLE user_status_count_deltas (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    status TEXT NOT NULL,
    delta BIGINT NOT NULL
);
CREATE INDEX user_status_count_deltas_status ON user_status_count_deltas (status);

CREATE OR REPLACE FUNCTION users_maintain_status_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status = NEW.status
       AND (OLD.deleted_at IS NULL) = (NEW.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL THEN
        INSERT INTO user_status_count_deltas (status, delta) VALUES (OLD.status, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted_at IS NULL THEN
        INSERT INTO user_status_count_deltas (status, delta) VALUES (NEW.status, 1);
    END IF;
    RETURN NULL;
END
$$;
