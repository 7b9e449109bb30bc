-- Times are TIMESTAMPTZ (UTC, microseconds); NULL stands for "no time".

-- The delivery queue. seq is the arrival order; id is GitHub's delivery id.
CREATE TABLE deliveries (
    seq             BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id              TEXT        NOT NULL UNIQUE,
    event           TEXT        NOT NULL,
    action          TEXT        NOT NULL DEFAULT '',
    installation_id BIGINT      NOT NULL DEFAULT 0,
    order_key       TEXT        NOT NULL DEFAULT '',
    payload         BYTEA       NOT NULL,
    received_at     TIMESTAMPTZ NOT NULL,
    status          TEXT        NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'leased', 'done', 'failed')),
    attempts        INTEGER     NOT NULL DEFAULT 0,
    available_at    TIMESTAMPTZ,  -- NULL: due at once
    lease_until     TIMESTAMPTZ,  -- NULL: not leased
    worker          TEXT        NOT NULL DEFAULT '',
    last_error      TEXT        NOT NULL DEFAULT ''
);

-- Unfinished deliveries in arrival order, and per order key: what Claim reads.
-- Done and failed rows stay out of both, so a long history costs nothing.
CREATE INDEX deliveries_unfinished ON deliveries (seq)
    WHERE status IN ('pending', 'leased');
CREATE INDEX deliveries_unfinished_key ON deliveries (order_key, seq)
    WHERE status IN ('pending', 'leased');
CREATE INDEX deliveries_done ON deliveries (received_at)
    WHERE status = 'done';

CREATE TABLE installations (
    id        BIGINT  PRIMARY KEY,
    account   TEXT    NOT NULL DEFAULT '',
    suspended BOOLEAN NOT NULL DEFAULT false
);

-- Ownership state of one issue or pull request.
CREATE TABLE threads (
    repo                TEXT        NOT NULL,
    number              INTEGER     NOT NULL,
    installation_id     BIGINT      NOT NULL,
    kind                TEXT        NOT NULL,
    state               TEXT        NOT NULL,
    title               TEXT        NOT NULL DEFAULT '',
    url                 TEXT        NOT NULL DEFAULT '',
    draft               BOOLEAN     NOT NULL DEFAULT false,
    created_at          TIMESTAMPTZ,
    owner               TEXT        NOT NULL DEFAULT '',
    owner_source        TEXT        NOT NULL DEFAULT '',
    owner_kind          TEXT        NOT NULL DEFAULT '',
    first_owned         TIMESTAMPTZ,
    rationale           TEXT        NOT NULL DEFAULT '',
    rationale_evidence  TEXT        NOT NULL DEFAULT '',
    linked_issue        TEXT        NOT NULL DEFAULT '',
    links_json          TEXT        NOT NULL DEFAULT '',
    bot_comment_id      BIGINT      NOT NULL DEFAULT 0,
    bot_comment_hash    TEXT        NOT NULL DEFAULT '',
    bot_comment_pending BOOLEAN     NOT NULL DEFAULT false,
    updated_at          TIMESTAMPTZ,
    PRIMARY KEY (repo, number)
);
CREATE INDEX threads_installation ON threads (installation_id);

-- Analysis of one comment, review or review comment.
CREATE TABLE comments (
    kind            TEXT        NOT NULL,
    id              BIGINT      NOT NULL,
    installation_id BIGINT      NOT NULL,
    repo            TEXT        NOT NULL,
    number          INTEGER     NOT NULL,
    thread          TEXT        NOT NULL,
    author_role     TEXT        NOT NULL,
    level           TEXT        NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ,
    PRIMARY KEY (kind, id)
);
CREATE INDEX comments_thread ON comments (repo, number);
CREATE INDEX comments_installation ON comments (installation_id);
CREATE INDEX comments_created ON comments (created_at);

-- The concerns found in a comment, in the order the analysis gave them.
CREATE TABLE comment_concerns (
    kind     TEXT    NOT NULL,
    id       BIGINT  NOT NULL,
    position INTEGER NOT NULL,
    concern  TEXT    NOT NULL,
    PRIMARY KEY (kind, id, concern),
    FOREIGN KEY (kind, id) REFERENCES comments (kind, id) ON DELETE CASCADE
);

-- Config problems already reported in a repository, by hash of the problem.
CREATE TABLE config_notices (
    repo         TEXT        NOT NULL,
    problem_hash TEXT        NOT NULL,
    noticed_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (repo, problem_hash)
);

-- claim_delivery leases the first unfinished delivery in arrival order that
-- is ready (pending and due, or leased with an expired lease) and whose order
-- key has no earlier unfinished delivery and no live lease. See claimSQL in
-- postgres.go for why this is safe across replicas.
--
-- It is a function only for its SET clauses: they pin the plan to a walk of
-- deliveries_unfinished in seq order that stops at the first ready row. Left
-- to itself, with statistics that lag behind a sudden backlog, the planner
-- may instead test every unfinished row and sort them, which makes draining
-- a backlog of n deliveries cost n^2.
CREATE FUNCTION claim_delivery(at TIMESTAMPTZ, lease_until TIMESTAMPTZ, worker TEXT)
RETURNS SETOF deliveries
LANGUAGE sql
SET search_path FROM CURRENT
SET enable_seqscan = off
SET enable_bitmapscan = off
SET enable_sort = off
AS $$
    WITH next AS (
        SELECT d.seq FROM deliveries d
        WHERE d.status IN ('pending', 'leased')
          AND ((d.status = 'pending' AND (d.available_at IS NULL OR d.available_at <= claim_delivery.at))
            OR (d.status = 'leased' AND d.lease_until <= claim_delivery.at))
          AND (d.order_key = '' OR NOT EXISTS (
              SELECT 1 FROM deliveries e
              WHERE e.status IN ('pending', 'leased')
                AND e.order_key = d.order_key
                AND e.seq <> d.seq
                AND (e.seq < d.seq OR (e.status = 'leased' AND e.lease_until > claim_delivery.at))))
        ORDER BY d.seq
        LIMIT 1
        FOR UPDATE SKIP LOCKED
    )
    UPDATE deliveries
    SET status = 'leased', lease_until = claim_delivery.lease_until, worker = claim_delivery.worker
    FROM next
    WHERE deliveries.seq = next.seq
    RETURNING deliveries.*
$$;
