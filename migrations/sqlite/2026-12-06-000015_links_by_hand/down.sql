ALTER TABLE one_time_tokens DROP COLUMN handed_over;
