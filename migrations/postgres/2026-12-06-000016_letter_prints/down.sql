DROP TABLE letter_prints;
