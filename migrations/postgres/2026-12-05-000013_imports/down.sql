DROP TRIGGER users_count_inserted ON users;
DROP TRIGGER users_count_deleted ON users;
DROP TRIGGER users_count_updated ON users;
DROP FUNCTION users_count_inserted();
DROP FUNCTION users_count_deleted();
DROP FUNCTION users_count_updated();
CREATE TRIGGER users_maintain_status_counts
    AFTER INSERT OR DELETE OR UPDATE OF status, deleted_at ON users
    FOR EACH ROW EXECUTE FUNCTION users_maintain_status_counts();
DROP INDEX users_import_batch;
ALTER TABLE users DROP COLUMN activated_at;
ALTER TABLE users DROP COLUMN import_batch_id;
DROP TABLE import_changes;
DROP TABLE import_row_units;
DROP TABLE import_rows;
DROP TABLE import_batches;
