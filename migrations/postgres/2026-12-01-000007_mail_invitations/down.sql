-- Fold the pending deltas back before the per-row counter returns.
UPDATE user_status_counts c SET live = c.live + d.n
FROM (SELECT status, sum(delta) AS n FROM user_status_count_deltas GROUP BY status) d
WHERE c.status = d.status;
DROP TABLE user_status_count_deltas;
CREATE OR REPLACE FUNCTION users_maintain_status_counts() RETURNS trigger LANGUAGE plpgsql AS $$
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
ALTER TABLE organisation_settings DROP COLUMN welcome_text;
ALTER TABLE organisation_settings DROP COLUMN app_url;
ALTER TABLE organisation_settings DROP COLUMN app_name;
DROP INDEX users_sign_in_deadline;
DROP INDEX users_invitation_expiry;
DROP INDEX users_list_by_delivery;
ALTER TABLE users DROP COLUMN sign_in_deadline;
ALTER TABLE users DROP COLUMN invite_delivery;
ALTER TABLE users DROP COLUMN invitation_expires_at;
DROP TABLE blocked_addresses;
DROP TABLE outbox_messages;
