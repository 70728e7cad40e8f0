-- QR letters for many people at once ("QR-Briefe drucken"). Like a start
-- password, the links are not stored: each person's token is derived from a
-- random id that only the admin's browser holds (a short-lived cookie) and
-- the instance key. The row binds that id to his session and says whose
-- letters, in print order, may be shown until when.
CREATE TABLE letter_prints (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id_hash TEXT NOT NULL UNIQUE,
    session_hash TEXT NOT NULL REFERENCES admin_sessions (id_hash) ON DELETE CASCADE,
    -- User ids in print order, comma-separated.
    people TEXT NOT NULL,
    -- The confirmation's key: a double submit makes one set of letters.
    form_key_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX letter_prints_expiry ON letter_prints (expires_at);
