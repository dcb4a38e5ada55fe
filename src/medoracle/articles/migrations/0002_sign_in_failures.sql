-- 0002: failed sign-ins per account name, for the lockout with exponential backoff.
-- Kept for names with no account too, so a lockout never tells which names exist.
CREATE TABLE sign_in_failures (
    username     TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,        -- consecutive failures since the last success
    last_failure TEXT NOT NULL,
    locked_until TEXT                     -- no sign-in is tried before this time
);
