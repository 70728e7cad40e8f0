-- One mechanism for every rate limit (sign-in now; password reset, link
-- redemption and registration later): a row per counted event, by scope and
-- hashed key, shared by every instance. Replaces login_failures.
CREATE TABLE rate_limit_hits (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    scope TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    hit_at TIMESTAMP NOT NULL
);
CREATE INDEX rate_limit_hits_key ON rate_limit_hits (scope, key_hash, hit_at);
CREATE INDEX rate_limit_hits_time ON rate_limit_hits (hit_at);
DROP TABLE login_failures;
