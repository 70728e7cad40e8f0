DROP TRIGGER users_memberships_cascade ON users;
DROP FUNCTION users_memberships_cascade();
DROP TRIGGER areas_restrict_members ON areas;
DROP FUNCTION areas_restrict_members();
DROP TRIGGER user_groups_restrict_members ON user_groups;
DROP FUNCTION user_groups_restrict_members();
DROP TRIGGER area_assignments_checked_update ON area_assignments;
DROP TRIGGER area_assignments_checked_insert ON area_assignments;
DROP FUNCTION area_assignments_checked();
DROP TRIGGER group_memberships_checked_update ON group_memberships;
DROP TRIGGER group_memberships_checked_insert ON group_memberships;
DROP FUNCTION group_memberships_checked();
ALTER TABLE area_assignments ADD CONSTRAINT area_assignments_area_id_fkey
    FOREIGN KEY (area_id) REFERENCES areas (id) ON DELETE RESTRICT;
ALTER TABLE area_assignments ADD CONSTRAINT area_assignments_user_id_fkey
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE group_memberships ADD CONSTRAINT group_memberships_group_id_fkey
    FOREIGN KEY (group_id) REFERENCES user_groups (id) ON DELETE RESTRICT;
ALTER TABLE group_memberships ADD CONSTRAINT group_memberships_user_id_fkey
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;
