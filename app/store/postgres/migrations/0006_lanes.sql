-- Lanes: one row per order key with unfinished work, so that a claim reads
-- one row per key through an index instead of walking the backlog. A
-- delivery without an order key has a lane of its own.
--
-- A lane is either ready (NOT waiting: its head is due and nothing of it is
-- leased) or waiting until ready_at (a lease, a retry's backoff). Claims read
-- ready lanes by their head through lanes_ready and due waiting lanes by
-- their time through lanes_waiting, so a claim never walks past lanes that
-- wait, however many a GitHub outage holds back. A waiting lane whose time
-- has passed is as ready as one marked ready.
--
-- Every change to a lane's deliveries (other than adding one behind its
-- head) first locks the lane's row, so replicas that claim and finish at the
-- same moment see one another's work; locks are taken in lane order, so
-- they never deadlock. Enqueues never wait for a lane's row: they hold an
-- advisory lock on the lane shared, which a lane about to be dropped takes
-- exclusively (see refresh_lane), so no delivery is ever left without its
-- lane.
ALTER TABLE deliveries ADD COLUMN lane TEXT NOT NULL DEFAULT '';
UPDATE deliveries SET lane = CASE WHEN order_key = '' THEN 'delivery:' || id ELSE 'key:' || order_key END;
CREATE INDEX deliveries_unfinished_lane ON deliveries (lane, seq)
    WHERE status IN ('pending', 'leased');
-- The leases of a lane, read apart from its (possibly long) pending tail.
CREATE INDEX deliveries_leased_lane ON deliveries (lane, lease_until)
    WHERE status = 'leased';
-- Claims read lanes now; the walks of the old claim are gone (Depth counts
-- through deliveries_unfinished_lane), and each index less is one less to
-- update at every enqueue, lease and completion.
DROP INDEX deliveries_unfinished_key;
DROP INDEX deliveries_unfinished;
DROP FUNCTION claim_delivery(TIMESTAMPTZ, TIMESTAMPTZ, TEXT);

CREATE TABLE lanes (
    lane            TEXT        PRIMARY KEY,
    head_seq        BIGINT      NOT NULL,
    ready_at        TIMESTAMPTZ NOT NULL,
    waiting         BOOLEAN     NOT NULL,
    -- The repository and installation the lane's work is for, so the worker
    -- pool can leave out those that already hold their share of workers.
    repo            TEXT        NOT NULL DEFAULT '',
    installation_id BIGINT      NOT NULL DEFAULT 0
);
CREATE INDEX lanes_ready ON lanes (head_seq) WHERE NOT waiting;
CREATE INDEX lanes_waiting ON lanes (ready_at) WHERE waiting;

-- Existing queued deliveries move into lanes.
INSERT INTO lanes (lane, head_seq, ready_at, waiting, repo, installation_id)
SELECT h.lane, h.seq, r.ready_at, r.ready_at > '-infinity',
       CASE WHEN position('#' IN h.order_key) > 0 THEN split_part(h.order_key, '#', 1) ELSE '' END,
       h.installation_id
FROM (SELECT DISTINCT ON (lane) lane, seq, status, available_at, lease_until, order_key, installation_id
      FROM deliveries WHERE status IN ('pending', 'leased') ORDER BY lane, seq) h
CROSS JOIN LATERAL (
    SELECT GREATEST(
        CASE WHEN h.status = 'pending' THEN COALESCE(h.available_at, '-infinity') ELSE h.lease_until END,
        (SELECT MAX(e.lease_until) FROM deliveries e WHERE e.lane = h.lane AND e.status = 'leased')) AS ready_at
) r;

-- refresh_lane rewrites a lane's row from its deliveries after some of them
-- changed, or drops it once nothing of the lane is unfinished. The caller
-- holds the lane's lock. It reports whether the lane is ready now.
CREATE FUNCTION refresh_lane(l TEXT, now_at TIMESTAMPTZ) RETURNS BOOLEAN
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    head BIGINT;
    ready TIMESTAMPTZ;
BEGIN
    SELECT d.seq, CASE WHEN d.status = 'pending' THEN COALESCE(d.available_at, '-infinity') ELSE d.lease_until END
      INTO head, ready
      FROM deliveries d WHERE d.lane = l AND d.status IN ('pending', 'leased') ORDER BY d.seq LIMIT 1;
    IF NOT FOUND THEN
        -- Enqueues add to an open lane without waiting for its row's lock,
        -- holding this lock shared instead: before the lane goes, wait for
        -- those under way, and look again.
        PERFORM pg_advisory_xact_lock(hashtext(current_schema()), hashtext(l));
        SELECT d.seq, CASE WHEN d.status = 'pending' THEN COALESCE(d.available_at, '-infinity') ELSE d.lease_until END
          INTO head, ready
          FROM deliveries d WHERE d.lane = l AND d.status IN ('pending', 'leased') ORDER BY d.seq LIMIT 1;
        IF NOT FOUND THEN
            DELETE FROM lanes WHERE lane = l;
            RETURN false;
        END IF;
    END IF;
    SELECT GREATEST(ready, MAX(e.lease_until)) INTO ready
      FROM deliveries e WHERE e.lane = l AND e.status = 'leased';
    UPDATE lanes SET head_seq = head, ready_at = ready, waiting = ready > now_at WHERE lane = l;
    RETURN ready <= now_at;
END
$$;

-- settle_deliveries finishes deliveries in one transaction: 'done' (the
-- payload dropped: a done delivery is kept only to recognise a redelivery),
-- 'release' (back to pending, due at once, no attempt counted) and 'forget'
-- (deleted: work that must leave no trace) take leased deliveries, 'retry'
-- a leased one (due at due, its attempt counted), 'failed' a pending or
-- leased one. It locks their lanes first, in order, raises OB001 and
-- changes nothing when one of them is not in such a state, and refreshes
-- the lanes. Work handed back wakes the replicas' workers; a lane that goes
-- on after a finished batch is taken by the replica that finished it, so
-- that costs no notification.
CREATE FUNCTION settle_deliveries(ids TEXT[], outcome TEXT, due TIMESTAMPTZ, err TEXT, now_at TIMESTAMPTZ)
RETURNS VOID
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    touched TEXT[];
    changed TEXT[];
    l TEXT;
BEGIN
    SELECT array_agg(DISTINCT lane ORDER BY lane) INTO touched FROM deliveries WHERE id = ANY(ids);
    PERFORM 1 FROM lanes WHERE lane = ANY(touched) ORDER BY lane FOR UPDATE;
    IF outcome = 'done' THEN
        WITH u AS (UPDATE deliveries SET status = 'done', worker = '', lease_until = NULL, payload = ''::bytea
                   WHERE id = ANY(ids) AND status = 'leased' RETURNING id)
        SELECT array_agg(u.id) INTO changed FROM u;
    ELSIF outcome = 'forget' THEN
        WITH u AS (DELETE FROM deliveries WHERE id = ANY(ids) AND status = 'leased' RETURNING id)
        SELECT array_agg(u.id) INTO changed FROM u;
    ELSIF outcome = 'release' THEN
        WITH u AS (UPDATE deliveries SET status = 'pending', worker = '', lease_until = NULL, available_at = NULL
                   WHERE id = ANY(ids) AND status = 'leased' RETURNING id)
        SELECT array_agg(u.id) INTO changed FROM u;
    ELSIF outcome = 'retry' THEN
        WITH u AS (UPDATE deliveries SET status = 'pending', worker = '', lease_until = NULL,
                       available_at = due, attempts = attempts + 1, last_error = err
                   WHERE id = ANY(ids) AND status = 'leased' RETURNING id)
        SELECT array_agg(u.id) INTO changed FROM u;
    ELSIF outcome = 'failed' THEN
        WITH u AS (UPDATE deliveries SET status = 'failed', worker = '', lease_until = NULL,
                       attempts = attempts + 1, last_error = err
                   WHERE id = ANY(ids) AND status IN ('pending', 'leased') RETURNING id)
        SELECT array_agg(u.id) INTO changed FROM u;
    ELSE
        RAISE EXCEPTION 'settle_deliveries: unknown outcome %', outcome;
    END IF;
    IF COALESCE(cardinality(changed), 0) <> cardinality(ids) THEN
        RAISE EXCEPTION 'delivery % is not leased',
            (SELECT i FROM unnest(ids) i WHERE i <> ALL(COALESCE(changed, '{}')) LIMIT 1)
            USING ERRCODE = 'OB001';
    END IF;
    IF touched IS NOT NULL THEN
        FOREACH l IN ARRAY touched LOOP
            PERFORM refresh_lane(l, now_at);
        END LOOP;
    END IF;
    IF outcome = 'release' THEN
        PERFORM pg_notify('ownershipbot_queue:' || current_schema(), '');
    END IF;
END
$$;

-- enqueue_deliveries stores deliveries, gives a failed delivery that GitHub
-- sends again the next place in arrival order (so it runs after what its
-- lane already holds), and opens the lanes that had no unfinished work (a
-- lane already open keeps its head, and is not waited for). It returns the
-- ids it stored, then a NULL if it opened a lane: the caller then wakes the
-- replicas' workers, after the commit (a NOTIFY inside the transaction
-- would hold NOTIFY's lock through the commit's flush, one enqueue at a
-- time).
CREATE FUNCTION enqueue_deliveries(ids TEXT[], events TEXT[], actions TEXT[], installations BIGINT[],
    order_keys TEXT[], payloads BYTEA[], received TIMESTAMPTZ[], available TIMESTAMPTZ[], lanes_of TEXT[],
    repos TEXT[], now_at TIMESTAMPTZ)
RETURNS SETOF TEXT
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    stored_ids TEXT[];
    opened BIGINT;
BEGIN
    -- A lane about to go (refresh_lane) waits for this, and this for it.
    PERFORM pg_advisory_xact_lock_shared(hashtext(current_schema()), hashtext(x.lane))
      FROM (SELECT DISTINCT u.lane FROM unnest(lanes_of) AS u(lane) ORDER BY u.lane) x;
    WITH incoming AS (
        SELECT * FROM unnest(ids, events, actions, installations, order_keys, payloads, received, available,
            lanes_of, repos)
            AS i(id, event, action, installation_id, order_key, payload, received_at, available_at, lane, repo)
    ), inserted AS (
        INSERT INTO deliveries (id, event, action, installation_id, order_key, payload, received_at, available_at, lane)
        SELECT i.id, i.event, i.action, i.installation_id, i.order_key, i.payload, i.received_at, i.available_at, i.lane
        FROM incoming i
        ON CONFLICT (id) DO NOTHING
        RETURNING deliveries.id, deliveries.seq, deliveries.lane, deliveries.installation_id, deliveries.available_at
    ), redelivered AS (
        UPDATE deliveries d SET seq = DEFAULT, status = 'pending', attempts = 0, available_at = i.available_at,
            lease_until = NULL, worker = '', last_error = ''
        FROM incoming i WHERE d.id = i.id AND d.status = 'failed'
        RETURNING d.id, d.seq, d.lane, d.installation_id, d.available_at
    ), stored AS (
        SELECT * FROM inserted UNION ALL SELECT * FROM redelivered
    ), opened_lanes AS (
        INSERT INTO lanes (lane, head_seq, ready_at, waiting, repo, installation_id)
        SELECT DISTINCT ON (s.lane) s.lane, s.seq, COALESCE(s.available_at, '-infinity'),
            COALESCE(s.available_at > now_at, false), r.repo, s.installation_id
        FROM stored s CROSS JOIN LATERAL (SELECT i.repo FROM incoming i WHERE i.lane = s.lane LIMIT 1) r
        ORDER BY s.lane, s.seq
        ON CONFLICT (lane) DO NOTHING
        RETURNING 1
    )
    SELECT array_agg(s.id), (SELECT count(*) FROM opened_lanes) INTO stored_ids, opened FROM stored s;
    RETURN QUERY SELECT unnest(COALESCE(stored_ids, '{}'));
    IF opened > 0 THEN
        RETURN NEXT NULL;
    END IF;
END
$$;

-- delete_unleased_deliveries deletes an installation's deliveries that no
-- worker holds (an uninstall purges them) and refreshes their lanes, locked
-- first, in order.
CREATE FUNCTION delete_unleased_deliveries(inst BIGINT, now_at TIMESTAMPTZ) RETURNS VOID
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    touched TEXT[];
    l TEXT;
BEGIN
    SELECT array_agg(DISTINCT lane ORDER BY lane) INTO touched
      FROM deliveries WHERE installation_id = inst AND status IN ('pending', 'leased');
    PERFORM 1 FROM lanes WHERE lane = ANY(touched) ORDER BY lane FOR UPDATE;
    DELETE FROM deliveries WHERE installation_id = inst AND status <> 'leased';
    IF touched IS NOT NULL THEN
        FOREACH l IN ARRAY touched LOOP
            PERFORM refresh_lane(l, now_at);
        END LOOP;
    END IF;
END
$$;

-- claim_lane leases up to max_n deliveries at the head of the ready lane
-- with the oldest head (among lanes marked ready, and waiting lanes whose
-- time has come), skipping the given repositories and installations, and
-- marks the lane waiting until the lease ends. FOR UPDATE SKIP LOCKED
-- passes over a lane another replica is claiming or finishing right now; a
-- lane that changed since the statement's snapshot is checked again on its
-- newest version before it is locked, and the lease re-checks each
-- delivery's status, so a stale snapshot can make a claim miss work (taken
-- at the next one) but never take a delivery twice.
--
-- It is a function only for its SET clauses: they pin the plan to walks of
-- lanes_ready and lanes_waiting that stop at the first row that fits. Left
-- to itself, with statistics that lag behind a sudden backlog, the planner
-- may instead read every lane and sort them.
CREATE FUNCTION claim_lane(at TIMESTAMPTZ, lease_until TIMESTAMPTZ, worker TEXT, max_n INTEGER,
    skip_repos TEXT[], skip_installations BIGINT[])
RETURNS SETOF deliveries
LANGUAGE plpgsql
SET search_path FROM CURRENT
SET enable_seqscan = off
SET enable_bitmapscan = off
AS $$
BEGIN
    RETURN QUERY
    WITH ready AS (
        SELECT l.lane, l.head_seq FROM lanes l
        WHERE NOT l.waiting AND l.repo <> ALL(skip_repos) AND l.installation_id <> ALL(skip_installations)
        ORDER BY l.head_seq LIMIT 1
        FOR UPDATE SKIP LOCKED
    ), due AS (
        SELECT l.lane, l.head_seq FROM lanes l
        WHERE l.waiting AND l.ready_at <= claim_lane.at
          AND l.repo <> ALL(skip_repos) AND l.installation_id <> ALL(skip_installations)
        ORDER BY l.ready_at LIMIT 1
        FOR UPDATE SKIP LOCKED
    ), pick AS (
        SELECT c.lane FROM (SELECT * FROM ready UNION ALL SELECT * FROM due) c ORDER BY c.head_seq LIMIT 1
    ), head AS (
        SELECT d.seq, d.status, d.available_at FROM deliveries d
        WHERE d.lane = (SELECT pick.lane FROM pick) AND d.status IN ('pending', 'leased')
        ORDER BY d.seq LIMIT max_n
    ), batch AS (
        -- Up to the first delivery not due yet (a retry's backoff).
        SELECT h.seq FROM head h
        WHERE NOT EXISTS (SELECT 1 FROM head n
                          WHERE n.seq <= h.seq AND n.status = 'pending' AND n.available_at > claim_lane.at)
    ), leased AS (
        UPDATE deliveries d SET status = 'leased', lease_until = claim_lane.lease_until, worker = claim_lane.worker
        FROM batch WHERE d.seq = batch.seq AND d.status IN ('pending', 'leased')
        RETURNING d.*
    ), lane AS (
        UPDATE lanes l SET waiting = true, ready_at = claim_lane.lease_until
        FROM pick WHERE l.lane = pick.lane AND EXISTS (SELECT 1 FROM leased)
    )
    SELECT * FROM leased ORDER BY leased.seq;
END
$$;
