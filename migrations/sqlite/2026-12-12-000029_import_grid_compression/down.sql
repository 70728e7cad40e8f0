-- PostgreSQL only: how the rows of an upload as read are compressed
-- (SQLite stores a blob as it is). Kept here so both backends have the
-- same migrations.
SELECT 1;
