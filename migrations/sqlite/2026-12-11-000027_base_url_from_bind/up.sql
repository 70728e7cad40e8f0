-- Whether the public base URL is only the address the instance first served
-- at (nobody chose it): `serve` then keeps it to the address it listens on.
-- Existing instances keep theirs as chosen.
ALTER TABLE organisation_settings ADD COLUMN public_base_url_from_bind BOOLEAN NOT NULL DEFAULT FALSE;
