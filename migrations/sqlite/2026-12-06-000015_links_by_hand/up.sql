-- A link handed over by hand (a QR code on screen or on a printed letter)
-- never travelled to the person's address: using it does not confirm the
-- address the way a link from a mail does.
ALTER TABLE one_time_tokens ADD COLUMN handed_over BOOLEAN NOT NULL DEFAULT 0;
