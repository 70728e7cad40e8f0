-- Zugangslinks: one-time links with which someone without an account
-- registers himself. Links are made in sets (one form, one to 5,000 links)
-- that share their expiry and what they grant. No token is stored, only its
-- hash: each token is derived from a random id that only the creating
-- admin's browser holds (a short-lived cookie) and the instance key, so
-- that browser can list and print the links for a while after making them
-- (`shown_*`, cleared when that time is over).
CREATE TABLE access_link_sets (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_by_label TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    -- The admin's name for the set ("Aushilfen Sommer"), may be empty.
    label TEXT NOT NULL,
    links INTEGER NOT NULL CHECK (links BETWEEN 1 AND 5000),
    -- What a registration through one of the links grants. A group or area
    -- deleted later is no longer granted.
    user_type TEXT NOT NULL,
    group_id BIGINT REFERENCES user_groups (id) ON DELETE SET NULL,
    area_id BIGINT REFERENCES areas (id) ON DELETE SET NULL,
    area_role TEXT,
    -- A double submit of the form makes one set.
    form_key_hash TEXT NOT NULL UNIQUE,
    shown_id_hash TEXT,
    shown_session_hash TEXT,
    shown_until TIMESTAMP
);
CREATE INDEX access_link_sets_created ON access_link_sets (created_at);

CREATE TABLE access_links (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    set_id BIGINT NOT NULL REFERENCES access_link_sets (id) ON DELETE CASCADE,
    -- 1..links within the set: the token is derived from it.
    number INTEGER NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    used_at TIMESTAMP,
    used_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    revoked_at TIMESTAMP,
    revoked_by_label TEXT,
    UNIQUE (set_id, number)
);
