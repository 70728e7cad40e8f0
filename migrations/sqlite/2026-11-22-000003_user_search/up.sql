-- Substring search over users.search_text without scanning the table: an FTS5
-- index with the trigram tokenizer (LIKE '%abc%' for 3+ characters), kept in
-- step by triggers. PostgreSQL uses a pg_trgm GIN index instead; this is the one
-- place where the two schemas differ on purpose (see tests/it/migrations.rs).
CREATE VIRTUAL TABLE users_search USING fts5(
    search_text,
    content = 'users',
    content_rowid = 'id',
    tokenize = 'trigram'
);
INSERT INTO users_search (users_search) VALUES ('rebuild');

CREATE TRIGGER users_search_insert AFTER INSERT ON users
BEGIN
    INSERT INTO users_search (rowid, search_text) VALUES (NEW.id, NEW.search_text);
END;
CREATE TRIGGER users_search_delete AFTER DELETE ON users
BEGIN
    INSERT INTO users_search (users_search, rowid, search_text) VALUES ('delete', OLD.id, OLD.search_text);
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF search_text ON users
BEGIN
    INSERT INTO users_search (users_search, rowid, search_text) VALUES ('delete', OLD.id, OLD.search_text);
    INSERT INTO users_search (rowid, search_text) VALUES (NEW.id, NEW.search_text);
END;
