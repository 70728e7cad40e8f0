-- Who committed an import: another admin than the one who uploaded the file
-- may commit it, and the batch page and the history name both. Earlier
-- commits take the name from the audit log. rows_total goes: it is the sum
-- of the four outcome counts (and import_batches keeps to 32 columns).
ALTER TABLE import_batches ADD COLUMN committed_by TEXT;
UPDATE import_batches SET committed_by = (
    SELECT a.actor_label FROM audit_events a
    WHERE a.action = 'import.commit' AND a.target_kind = 'import' AND a.target_id = import_batches.id
    ORDER BY a.id LIMIT 1
) WHERE committed_at IS NOT NULL;
UPDATE import_batches SET committed_by = actor_label WHERE committed_at IS NOT NULL AND committed_by IS NULL;
ALTER TABLE import_batches DROP COLUMN rows_total;
