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
    closing     BOOLEAN NOT NULL DEFAULT false,
    kind        TEXT    NOT NULL,
    owner       TEXT    NOT NULL DEFAULT '',
    rationale   TEXT    NOT NULL DEFAULT '',
    cached      BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (repo, number, position),
    FOREIGN KEY (repo, number) REFERENCES threads (repo, number) ON DELETE CASCADE
);
CREATE INDEX pull_request_links_issue ON pull_request_links (link_repo, link_number);

INSERT INTO pull_request_links
    (repo, number, position, link_repo, link_number, closing, kind, owner, rationale, cached)
SELECT t.repo, t.number, l.ord - 1,
       l.v->>'repo', (l.v->>'number')::integer,
       COALESCE((l.v->>'closing')::boolean, false), l.v->>'kind',
       COALESCE(l.v->>'owner', ''), COALESCE(l.v->>'rationale', ''),
       COALESCE((l.v->>'cached')::boolean, false)
FROM threads t
CROSS JOIN LATERAL jsonb_array_elements(
    CASE WHEN jsonb_typeof(t.links_json::jsonb -> 'links') = 'array' THEN t.links_json::jsonb -> 'links' ELSE '[]'::jsonb END
) WITH ORDINALITY AS l(v, ord)
WHERE t.links_json <> '';

UPDATE threads SET links_json = CASE
    WHEN (links_json::jsonb - 'links') = '{}'::jsonb THEN ''
    ELSE (links_json::jsonb - 'links')::text END
WHERE links_json <> '';
ALTER TABLE threads RENAME COLUMN links_json TO pull_state;
