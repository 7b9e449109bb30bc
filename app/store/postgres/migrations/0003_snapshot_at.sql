-- GitHub's updated_at of the issue or pull request a thread's state was last
-- taken from (NULL before this version): an event carrying an older
-- snapshot, delivered late or out of order, changes nothing.
ALTER TABLE threads ADD COLUMN snapshot_at TIMESTAMPTZ;
