-- Failed tries per client address (sign-in, link guesses, emails asked for), kept in the
-- database rather than in each process's memory: two Roster processes on one database count
-- the same tries, and a restart does not forgive them. `scope` names the limit ('sign_in',
-- 'mail'); a row's window starts at its first failure (unix millis) and is over after the
-- limit's window, when the sweeper deletes it.
CREATE TABLE client_failures (
    scope TEXT NOT NULL,
    client TEXT NOT NULL,
    failures INTEGER NOT NULL,
    window_start BIGINT NOT NULL,
    PRIMARY KEY (scope, client)
) WITHOUT ROWID;

CREATE INDEX client_failures_window_start ON client_failures (window_start);
