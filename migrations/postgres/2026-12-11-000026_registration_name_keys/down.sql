-- The finer keys cannot be told back from the folded ones ("u" was "u",
-- "ue" or "ü"): entries keep them; one added again gets the older key.
SELECT 1;
