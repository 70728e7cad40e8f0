-- A user's photo, re-encoded by Einlass (JPEG, at most 512 px, no metadata).
CREATE TABLE user_photos (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    content_type TEXT NOT NULL CHECK (content_type IN ('image/jpeg')),
    bytes BYTEA NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
