-- Where owner and rationale detection looked when an issue was judged (the
-- repository's settings then, as JSON; '' for the defaults), so the page can
-- say it beside an issue in need.
ALTER TABLE threads ADD COLUMN looked_in TEXT NOT NULL DEFAULT '';

-- Each repository's figures at the end of each day (UTC), written by the
-- workers' rollup job, read by the page's 30-day trend. Counts only.
CREATE TABLE rollups (
    repo                        TEXT    NOT NULL,
    day                         TEXT    NOT NULL, -- YYYY-MM-DD, UTC
    open_issues                 INTEGER NOT NULL,
    with_owner                  INTEGER NOT NULL,
    with_rationale              INTEGER NOT NULL,
    with_both                   INTEGER NOT NULL,
    open_pulls                  INTEGER NOT NULL,
    pulls_linked_to_owned_issue INTEGER NOT NULL,
    pulls_with_reason           INTEGER NOT NULL,
    PRIMARY KEY (repo, day)
);
CREATE INDEX rollups_day ON rollups (day);
