-- Zugangsanfragen: with open registration switched on, anyone may ask for
-- an account; it waits as `ausstehend` until an admin approves or rejects
-- it. The row keeps what the person wrote and the decision (its reason
-- goes into the rejection mail, and into a copy sent again).
ALTER TABLE organisation_settings ADD COLUMN open_registration BOOLEAN NOT NULL DEFAULT 0;

CREATE TABLE access_requests (
    user_id BIGINT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message TEXT NOT NULL,
    requested_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    decided_by_label TEXT,
    decision TEXT CHECK (decision IN ('genehmigt', 'abgelehnt')),
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_requests_open ON access_requests (requested_at) WHERE decided_at IS NULL;
