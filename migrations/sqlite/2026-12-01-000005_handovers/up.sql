-- A one-time secret shown to the admin who made it (a generated start
-- password), through a redirect instead of the POST's answer. The secret
-- itself is not stored: it is derived from a random id that only the admin's
-- browser holds (a short-lived cookie) and the instance key. The row binds
-- that id to his session and the person, and says until when it may be shown.
CREATE TABLE secret_handovers (
    id_hash TEXT PRIMARY KEY NOT NULL,
    session_hash TEXT NOT NULL REFERENCES admin_sessions (id_hash) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    then_page TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX secret_handovers_expiry ON secret_handovers (expires_at);

-- Create forms carry a random key: a second submit of the same form (a double
-- click, a reload, a second tab) finds its key here and creates nothing.
CREATE TABLE form_submissions (
    key_hash TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX form_submissions_time ON form_submissions (created_at);
