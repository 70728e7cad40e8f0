-- Work on many users at once runs as a background task ("Auftrag"): the
-- request fixes who is affected (the items) and returns; the task runner
-- works through the items in chunks, one transaction each, and a task whose
-- runner died is taken up again once its lease has run out.
-- Mirrors migrations/postgres/2026-12-01-000009_bulk_tasks.

CREATE TABLE bulk_tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('invite_created')),
    actor_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    actor_label TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('laufend', 'fertig', 'abgebrochen')),
    -- Users the task was started for (its items).
    planned BIGINT NOT NULL,
    done BIGINT NOT NULL DEFAULT 0,
    -- Done, but the address is blocked: no mail goes out.
    blocked BIGINT NOT NULL DEFAULT 0,
    -- Left out when it started: no email address; above the actor's role.
    skipped_no_email BIGINT NOT NULL DEFAULT 0,
    skipped_role BIGINT NOT NULL DEFAULT 0,
    -- Left out when its turn came: the user had changed meanwhile.
    skipped_changed BIGINT NOT NULL DEFAULT 0,
    -- Why it stopped early (state abgebrochen).
    stop_reason TEXT,
    leased_by TEXT,
    lease_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX bulk_tasks_running ON bulk_tasks (id) WHERE state = 'laufend';
-- One "Alle neu angelegten einladen" at a time: a second click, or a second
-- admin at the same instant, gets the running one.
CREATE UNIQUE INDEX bulk_tasks_one_running ON bulk_tasks (kind) WHERE state = 'laufend' AND kind = 'invite_created';
CREATE INDEX bulk_tasks_time ON bulk_tasks (created_at, id);

-- The users a running task has still to do; a chunk deletes its items.
CREATE TABLE bulk_task_items (
    task_id BIGINT NOT NULL REFERENCES bulk_tasks (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (task_id, user_id)
);
