-- Registration names compare with an umlaut, its spelled-out form and the
-- bare vowel as one (domain::registration::name_match_key): the stored keys,
-- folded as the search folds them ("mueller"), are folded the same further.
UPDATE registration_entries SET
    first_key = replace(replace(replace(first_key, 'ae', 'a'), 'oe', 'o'), 'ue', 'u'),
    last_key = replace(replace(replace(last_key, 'ae', 'a'), 'oe', 'o'), 'ue', 'u');
