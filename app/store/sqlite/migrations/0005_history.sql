-- The history the App reads from GitHub itself: one row per repository of an
-- installation, with how far its backfill got (the phase and the GraphQL
-- cursor of the next page), how far the drift sweep has looked, and the
-- counts the progress metrics show. step grows with every change of
-- progress; the background work that moves a backfill on names the step it
-- expects, so a duplicate or stale piece of work changes nothing.
CREATE TABLE backfills (
    repo            TEXT    PRIMARY KEY, -- lower-case owner/name
    installation_id INTEGER NOT NULL,
    full_name       TEXT    NOT NULL,    -- as GitHub spells it
    phase           TEXT    NOT NULL,
    cursor          TEXT    NOT NULL DEFAULT '',
    step            INTEGER NOT NULL DEFAULT 0,
    since           INTEGER NOT NULL DEFAULT 0,
    items_done      INTEGER NOT NULL DEFAULT 0,
    items_total     INTEGER NOT NULL DEFAULT 0,
    started_at      INTEGER NOT NULL DEFAULT 0,
    updated_at      INTEGER NOT NULL DEFAULT 0,
    finished_at     INTEGER NOT NULL DEFAULT 0,
    swept_at        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX backfills_installation ON backfills (installation_id);

-- Webhook deliveries the App asked GitHub to send again, by GitHub's GUID,
-- so that each is asked for a bounded number of times.
CREATE TABLE redeliveries (
    guid            TEXT    PRIMARY KEY,
    installation_id INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    requested_at    INTEGER NOT NULL
);
CREATE INDEX redeliveries_installation ON redeliveries (installation_id);

-- Closed threads are forgotten once their retention ends.
CREATE INDEX threads_closed ON threads (updated_at) WHERE state <> 'open';
CREATE INDEX deliveries_installation ON deliveries (installation_id);
