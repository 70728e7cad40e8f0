-- Memberships (groups and areas) are checked once per statement instead of
-- once per row. A foreign key checks each new row on its own: a query and a
-- row lock on the person and one on the group for every membership, 2 s of
-- an import's commit of 196,000 memberships. The same guarantees, set-based:
--   * after every statement that adds or changes memberships, the groups
--     (areas) it names are locked once each, as a foreign key locks them
--     (FOR KEY SHARE: a concurrent delete of one waits for this transaction,
--     and one deleted meanwhile is seen as gone), and every row's person and
--     group must exist — else the statement fails as a foreign key would
--     (SQLSTATE 23503);
--   * deleting a group or area that still has memberships fails (was
--     ON DELETE RESTRICT); it sees memberships committed while it waited;
--   * deleting a person takes his memberships with him (was ON DELETE
--     CASCADE). People are only ever marked deleted, never deleted: no
--     person row is locked for the check above.
-- SQLite keeps its foreign keys: there a check is a lookup, not a query.
ALTER TABLE group_memberships DROP CONSTRAINT group_memberships_user_id_fkey;
ALTER TABLE group_memberships DROP CONSTRAINT group_memberships_group_id_fkey;
ALTER TABLE area_assignments DROP CONSTRAINT area_assignments_user_id_fkey;
ALTER TABLE area_assignments DROP CONSTRAINT area_assignments_area_id_fkey;

CREATE FUNCTION group_memberships_checked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM user_groups
        WHERE id IN (SELECT DISTINCT group_id FROM added)
        ORDER BY id FOR KEY SHARE;
    IF EXISTS (SELECT 1 FROM added a WHERE NOT EXISTS (SELECT 1 FROM user_groups g WHERE g.id = a.group_id))
        OR EXISTS (SELECT 1 FROM added a WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = a.user_id))
    THEN
        RAISE EXCEPTION 'group_memberships: no such person or group' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER group_memberships_checked_insert AFTER INSERT ON group_memberships
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION group_memberships_checked();
CREATE TRIGGER group_memberships_checked_update AFTER UPDATE ON group_memberships
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION group_memberships_checked();

CREATE FUNCTION area_assignments_checked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM areas
        WHERE id IN (SELECT DISTINCT area_id FROM added)
        ORDER BY id FOR KEY SHARE;
    IF EXISTS (SELECT 1 FROM added a WHERE NOT EXISTS (SELECT 1 FROM areas g WHERE g.id = a.area_id))
        OR EXISTS (SELECT 1 FROM added a WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = a.user_id))
    THEN
        RAISE EXCEPTION 'area_assignments: no such person or area' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER area_assignments_checked_insert AFTER INSERT ON area_assignments
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION area_assignments_checked();
CREATE TRIGGER area_assignments_checked_update AFTER UPDATE ON area_assignments
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION area_assignments_checked();

CREATE FUNCTION user_groups_restrict_members() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM group_memberships m WHERE m.group_id IN (SELECT id FROM gone)) THEN
        RAISE EXCEPTION 'user_groups: the group still has members' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER user_groups_restrict_members AFTER DELETE ON user_groups
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION user_groups_restrict_members();

CREATE FUNCTION areas_restrict_members() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM area_assignments m WHERE m.area_id IN (SELECT id FROM gone)) THEN
        RAISE EXCEPTION 'areas: the area still has members' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER areas_restrict_members AFTER DELETE ON areas
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION areas_restrict_members();

CREATE FUNCTION users_memberships_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM group_memberships WHERE user_id IN (SELECT id FROM gone);
    DELETE FROM area_assignments WHERE user_id IN (SELECT id FROM gone);
    RETURN NULL;
END
$$;
CREATE TRIGGER users_memberships_cascade AFTER DELETE ON users
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION users_memberships_cascade();
