-- Audit search looks through one folded text (case and German spellings
-- folded by Einlass itself, the same on both databases: SQLite's lower()
-- folds ASCII only). Rows written before get a first approximation here and
-- their real search text from Einlass at start-up (maintenance_marks).
ALTER TABLE audit_events ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE audit_events SET search_text = lower(actor_label || ' | ' || coalesce(target_label, ''));

-- Data changes that Einlass makes itself after a migration (recomputing
-- search texts when their folding changes), by name and version.
CREATE TABLE maintenance_marks (
    name TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL
);
