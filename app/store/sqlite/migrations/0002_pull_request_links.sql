-- The issues each pull request refers to, as last resolved, in the order the
-- pull request mentions them; found by issue when the issue changes. They
-- used to live in threads.links_json together with the pull-request
-- handler's bookkeeping, which stays there as pull_state.
CREATE TABLE pull_request_links (
    repo        TEXT    NOT NULL, -- the pull request's
    number      INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    link_repo   TEXT    NOT NULL,
    link_number INTEGER NOT NULL,
    closing     INTEGER NOT NULL DEFAULT 0,
    kind        TEXT    NOT NULL,
    owner       TEXT    NOT NULL DEFAULT '',
    rationale   TEXT    NOT NULL DEFAULT '',
    cached      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (repo, number, position),
    FOREIGN KEY (repo, number) REFERENCES threads (repo, number) ON DELETE CASCADE
);
CREATE INDEX pull_request_links_issue ON pull_request_links (link_repo, link_number);

INSERT INTO pull_request_links
    (repo, number, position, link_repo, link_number, closing, kind, owner, rationale, cached)
SELECT t.repo, t.number, CAST(l.key AS INTEGER),
       json_extract(l.value, '$.repo'), json_extract(l.value, '$.number'),
       COALESCE(json_extract(l.value, '$.closing'), 0), json_extract(l.value, '$.kind'),
       COALESCE(json_extract(l.value, '$.owner'), ''), COALESCE(json_extract(l.value, '$.rationale'), ''),
       COALESCE(json_extract(l.value, '$.cached'), 0)
FROM threads t, json_each(t.links_json, '$.links') l
WHERE t.links_json <> '' AND json_valid(t.links_json);

UPDATE threads SET links_json = json_remove(links_json, '$.links')
WHERE links_json <> '' AND json_valid(links_json);
UPDATE threads SET links_json = '' WHERE links_json = '{}';
ALTER TABLE threads RENAME COLUMN links_json TO pull_state;
