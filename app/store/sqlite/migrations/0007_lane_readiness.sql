-- A lane is either ready (waiting = 0: its head is due and nothing of it is
-- leased) or waiting until ready_at (a lease, a retry's backoff). Claims read
-- ready lanes by their head through lanes_ready and due waiting lanes by
-- their time through lanes_waiting, so a claim never walks past lanes that
-- wait (a GitHub outage, a long retry), however many there are. A waiting lane
-- whose time has passed is as ready as one marked ready.
--
-- repo and installation_id let the worker pool leave out the lanes of a
-- repository or installation that already holds its share of the workers.
ALTER TABLE lanes ADD COLUMN waiting INTEGER NOT NULL DEFAULT 0;
ALTER TABLE lanes ADD COLUMN repo TEXT NOT NULL DEFAULT '';
ALTER TABLE lanes ADD COLUMN installation_id INTEGER NOT NULL DEFAULT 0;
UPDATE lanes SET waiting = ready_at > 0;
UPDATE lanes SET
    repo = COALESCE((SELECT CASE WHEN instr(d.order_key, '#') > 0
                                 THEN substr(d.order_key, 1, instr(d.order_key, '#') - 1) ELSE '' END
                     FROM deliveries d WHERE d.seq = lanes.head_seq), ''),
    installation_id = COALESCE((SELECT d.installation_id FROM deliveries d WHERE d.seq = lanes.head_seq), 0);
DROP INDEX lanes_head;
CREATE INDEX lanes_ready ON lanes (head_seq) WHERE waiting = 0;
CREATE INDEX lanes_waiting ON lanes (ready_at) WHERE waiting = 1;
-- Claims read lanes now; the walks of the old claim are gone (Depth counts
-- through deliveries_unfinished_lane), and each index less is one less to
-- update at every enqueue, lease and completion.
DROP INDEX deliveries_unfinished_key;
DROP INDEX deliveries_unfinished;
