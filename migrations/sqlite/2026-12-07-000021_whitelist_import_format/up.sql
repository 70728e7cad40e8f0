-- The format of the file a whitelist import read (as on user imports), so
-- that its preview can say when the format lost leading zeros of numbers
-- (.xls: 00123 arrives as 123).
ALTER TABLE registration_imports ADD COLUMN format TEXT NOT NULL DEFAULT '';
