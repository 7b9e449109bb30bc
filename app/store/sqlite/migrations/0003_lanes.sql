-- Lanes: one row per order key with unfinished work, so that a claim reads
-- one row per key through an index instead of walking the backlog. A
-- delivery without an order key has a lane of its own. ready_at is when the
-- lane's head may be claimed: the head's due time, or the end of a live lease
-- held by any delivery of the lane.
ALTER TABLE deliveries ADD COLUMN lane TEXT NOT NULL DEFAULT '';
UPDATE deliveries SET lane = CASE WHEN order_key = '' THEN 'delivery:' || id ELSE 'key:' || order_key END;
CREATE INDEX deliveries_unfinished_lane ON deliveries (lane, seq)
    WHERE status IN ('pending', 'leased');
-- The leases of a lane, read apart from its (possibly long) pending tail.
CREATE INDEX deliveries_leased_lane ON deliveries (lane, lease_until)
    WHERE status = 'leased';

CREATE TABLE lanes (
    lane     TEXT    PRIMARY KEY,
    head_seq INTEGER NOT NULL,
    ready_at INTEGER NOT NULL
);
CREATE INDEX lanes_head ON lanes (head_seq);

INSERT INTO lanes (lane, head_seq, ready_at)
SELECT d.lane, d.seq,
       max(CASE WHEN d.status = 'pending' THEN d.available_at ELSE d.lease_until END,
           COALESCE((SELECT MAX(e.lease_until) FROM deliveries e
                     WHERE e.lane = d.lane AND e.status = 'leased'), 0))
FROM deliveries d
WHERE d.status IN ('pending', 'leased')
  AND d.seq = (SELECT MIN(f.seq) FROM deliveries f
               WHERE f.lane = d.lane AND f.status IN ('pending', 'leased'));
