DROP TABLE maintenance_marks;
ALTER TABLE audit_events DROP COLUMN search_text;
