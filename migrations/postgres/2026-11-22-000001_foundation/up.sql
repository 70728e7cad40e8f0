-- Foundation: organisation settings, users, groups, areas, admin sessions,
-- login throttling, one-time tokens and the audit log.
-- Mirrors migrations/sqlite/2026-11-22-000001_foundation (same tables and columns).

CREATE TABLE organisation_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    organisation_name TEXT NOT NULL,
    brand_colour TEXT NOT NULL,
    public_base_url TEXT NOT NULL,
    invitation_validity_days INTEGER NOT NULL CHECK (invitation_validity_days BETWEEN 1 AND 365),
    time_zone TEXT NOT NULL,
    default_language TEXT NOT NULL CHECK (default_language IN ('de', 'en')),
    instance_secret TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    salutation TEXT CHECK (salutation IN ('frau', 'herr', 'divers')),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    username TEXT COLLATE "C" NOT NULL,
    email TEXT,
    email_lower TEXT COLLATE "C",
    email_confirmed BOOLEAN NOT NULL DEFAULT FALSE,
    personnel_number TEXT,
    user_type TEXT NOT NULL CHECK (user_type IN ('mitarbeiter', 'extern', 'gast')),
    is_staff BOOLEAN NOT NULL DEFAULT FALSE,
    admin_role TEXT CHECK (admin_role IN ('administrator', 'benutzerverwaltung', 'lesezugriff')),
    status TEXT NOT NULL CHECK (status IN ('angelegt', 'eingeladen', 'aktiv', 'inaktiv', 'widerrufen', 'ausstehend', 'abgelehnt', 'deaktiviert')),
    password_hash TEXT,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    sort_name TEXT COLLATE "C" NOT NULL,
    search_text TEXT COLLATE "C" NOT NULL,
    last_login_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE UNIQUE INDEX users_username_live ON users (username) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX users_email_live ON users (email_lower) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX users_personnel_number_live ON users (personnel_number) WHERE deleted_at IS NULL;
-- Covering: the list walks it in order and filters the search text without
-- touching the table; the count of a search scans only this index.
CREATE INDEX users_list_by_name ON users (sort_name, id, search_text) WHERE deleted_at IS NULL;
CREATE INDEX users_list_by_email ON users (email_lower, id) WHERE deleted_at IS NULL;
CREATE INDEX users_list_by_status ON users (status, sort_name, id) WHERE deleted_at IS NULL;
CREATE INDEX users_list_by_created ON users (created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX users_list_by_type ON users (user_type, sort_name, id) WHERE deleted_at IS NULL;

-- Live users per status, kept by triggers so that the unfiltered user list and
-- the dashboard need no count over the whole table (see docs/PERFORMANCE.md).
CREATE TABLE user_status_counts (
    status TEXT PRIMARY KEY NOT NULL,
    live BIGINT NOT NULL
) WITH (fillfactor = 50);
INSERT INTO user_status_counts (status, live) VALUES
    ('angelegt', 0), ('eingeladen', 0), ('aktiv', 0), ('inaktiv', 0),
    ('widerrufen', 0), ('ausstehend', 0), ('abgelehnt', 0), ('deaktiviert', 0);

CREATE FUNCTION users_maintain_status_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status = NEW.status
       AND (OLD.deleted_at IS NULL) = (NEW.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL THEN
        UPDATE user_status_counts SET live = live - 1 WHERE status = OLD.status;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted_at IS NULL THEN
        UPDATE user_status_counts SET live = live + 1 WHERE status = NEW.status;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_maintain_status_counts
    AFTER INSERT OR DELETE OR UPDATE OF status, deleted_at ON users
    FOR EACH ROW EXECUTE FUNCTION users_maintain_status_counts();

CREATE TABLE user_groups (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX user_groups_name_key ON user_groups (name_key);

CREATE TABLE group_memberships (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    group_id BIGINT NOT NULL REFERENCES user_groups (id) ON DELETE RESTRICT,
    PRIMARY KEY (user_id, group_id)
);
CREATE INDEX group_memberships_group ON group_memberships (group_id, user_id);

CREATE TABLE areas (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX areas_name_key ON areas (name_key);

CREATE TABLE area_assignments (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    area_id BIGINT NOT NULL REFERENCES areas (id) ON DELETE RESTRICT,
    area_role TEXT NOT NULL CHECK (area_role IN ('mitglied', 'redaktion', 'leitung')),
    PRIMARY KEY (user_id, area_id)
);
CREATE INDEX area_assignments_area ON area_assignments (area_id, user_id);

CREATE TABLE admin_sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX admin_sessions_user ON admin_sessions (user_id);

CREATE TABLE login_failures (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_key TEXT NOT NULL,
    client_ip TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_account ON login_failures (account_key, failed_at);
CREATE INDEX login_failures_ip ON login_failures (client_ip, failed_at);

CREATE TABLE one_time_tokens (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    purpose TEXT NOT NULL,
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    consumed_at TIMESTAMP
);
CREATE UNIQUE INDEX one_time_tokens_hash ON one_time_tokens (token_hash);
CREATE INDEX one_time_tokens_user ON one_time_tokens (user_id, purpose);

CREATE TABLE audit_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    actor_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    actor_label TEXT NOT NULL,
    action TEXT NOT NULL,
    target_kind TEXT,
    target_id BIGINT,
    target_label TEXT,
    details TEXT
);
CREATE INDEX audit_events_time ON audit_events (occurred_at, id);
CREATE INDEX audit_events_action ON audit_events (action, occurred_at);
CREATE INDEX audit_events_actor ON audit_events (actor_id, occurred_at);
