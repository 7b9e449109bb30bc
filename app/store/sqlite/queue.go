package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ownershipbot/ownershipbot/app/store"
)

// Enqueue stores d and opens its lane if it had none; a delivery id already
// stored is left as it is and reported with inserted false, unless it
// failed, in which case it runs again at the end of its lane. Concurrent
// calls share one transaction (see EnqueueAll), and each returns once its
// delivery is committed.
func (s *Store) Enqueue(ctx context.Context, d store.Delivery) (bool, error) {
	if d.ID == "" {
		return false, errors.New("enqueue: the delivery has no id")
	}
	inserted, err := s.enqueues.Do(ctx, d)
	if err != nil {
		return false, fmt.Errorf("enqueueing delivery %s: %w", d.ID, err)
	}
	return inserted, nil
}

// maxGroup bounds how many deliveries one enqueue transaction takes.
const maxGroup = 256

// EnqueueAll stores deliveries in one transaction, in the given order, and
// reports for each whether it was stored (see Enqueue): one WAL commit for
// all of them. New deliveries are inserted many rows to a statement (see
// insertChunk); a failed delivery sent again takes its place after the new
// deliveries of the same call.
func (s *Store) EnqueueAll(ctx context.Context, ds []store.Delivery) ([]bool, error) {
	for _, d := range ds {
		if d.ID == "" {
			return nil, errors.New("enqueue: a delivery has no id")
		}
	}
	inserted := make([]bool, len(ds))
	err := s.laneTx(ctx, true, func(tx *sql.Tx) error {
		now := time.Now()
		for from := 0; from < len(ds); {
			n := chunkSize(len(ds) - from)
			if err := s.insertChunk(ctx, tx, ds[from:from+n], inserted[from:from+n], now); err != nil {
				return err
			}
			from += n
		}
		for i, d := range ds {
			if inserted[i] || slices.ContainsFunc(ds[:i], func(e store.Delivery) bool { return e.ID == d.ID }) {
				continue
			}
			var err error
			if inserted[i], err = s.redeliverTx(ctx, tx, d, now); err != nil {
				return fmt.Errorf("enqueueing delivery %s: %w", d.ID, err)
			}
		}
		return nil
	})
	return inserted, err
}

// chunkSizes are the row counts of the prepared multi-row inserts; a group
// of up to eight webhooks (as many as GitHub keeps connections open) is
// one statement; larger groups take the fewest chunks of these sizes.
var chunkSizes = []int{64, 32, 16, 8, 7, 6, 5, 4, 3, 2, 1}

func chunkSize(n int) int {
	for _, c := range chunkSizes {
		if n >= c {
			return c
		}
	}
	return 1
}

// insertChunk inserts new deliveries with one statement and opens the lanes
// they start with another, and marks which it inserted; a delivery whose id
// is stored already (or repeated in ds) is left for redeliverTx.
func (s *Store) insertChunk(ctx context.Context, tx *sql.Tx, ds []store.Delivery, inserted []bool, now time.Time) error {
	args := make([]any, 0, len(ds)*enqueueColumns)
	for _, d := range ds {
		received := d.ReceivedAt
		if received.IsZero() {
			received = now
		}
		payload := d.Payload
		if payload == nil {
			payload = []byte{}
		}
		args = append(args, d.ID, d.Event, d.Action, d.InstallationID, d.OrderKey, payload,
			toNanos(received), toNanos(d.AvailableAt), d.Lane())
	}
	rows, err := s.txQuery(ctx, tx, insertSQL(len(ds)), args...)
	if err != nil {
		return err
	}
	seqs := make(map[string]int64, len(ds))
	for rows.Next() {
		var id string
		var seq int64
		if err := rows.Scan(&id, &seq); err != nil {
			rows.Close()
			return err
		}
		seqs[id] = seq
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	// Each lane a new delivery opens starts at its first new delivery; a
	// lane already open keeps its older head (ON CONFLICT DO NOTHING).
	var lanes []any
	opened := map[string]bool{}
	for i, d := range ds {
		seq, ok := seqs[d.ID]
		if !ok {
			continue
		}
		delete(seqs, d.ID) // a second delivery with this id was not stored
		inserted[i] = true
		lane := d.Lane()
		if opened[lane] {
			continue
		}
		opened[lane] = true
		ready := toNanos(d.AvailableAt)
		lanes = append(lanes, lane, seq, ready, boolInt(ready > now.UnixNano()), store.RepoOfKey(d.OrderKey), d.InstallationID)
	}
	return s.insertRows(ctx, tx, openLanesSQL, laneColumns, lanes)
}

// insertRows inserts the rows in args (cols values each) through the
// prepared multi-row statements that query returns for a number of rows.
func (s *Store) insertRows(ctx context.Context, tx *sql.Tx, query func(rows int) string, cols int, args []any) error {
	for from := 0; from < len(args); {
		n := chunkSize((len(args) - from) / cols)
		if err := s.txExec(ctx, tx, query(n), args[from:from+n*cols]...); err != nil {
			return err
		}
		from += n * cols
	}
	return nil
}

// redeliverTx runs a failed delivery that was sent again as a new arrival at
// the end of its lane, and reports whether it was one.
func (s *Store) redeliverTx(ctx context.Context, tx *sql.Tx, d store.Delivery, now time.Time) (bool, error) {
	var seq int64
	var lane string
	err := s.txRow(ctx, tx, redeliverSQL, toNanos(d.AvailableAt), d.ID).Scan(&seq, &lane, &d.InstallationID, &d.OrderKey)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	ready := toNanos(d.AvailableAt)
	return true, s.txExec(ctx, tx, openLanesSQL(1), lane, seq, ready, boolInt(ready > now.UnixNano()),
		store.RepoOfKey(d.OrderKey), d.InstallationID)
}

const (
	enqueueColumns = 9
	laneColumns    = 6
)

// insertSQL inserts n deliveries, leaving out ids already stored, and
// returns the arrival number of each it inserted.
func insertSQL(n int) string {
	return `INSERT INTO deliveries
	(id, event, action, installation_id, order_key, payload, received_at, available_at, lane)
	VALUES ` + placeholders(n, enqueueColumns) + `
	ON CONFLICT (id) DO NOTHING
	RETURNING id, seq`
}

// openLanesSQL adds n lanes; a lane already open keeps its head, which is
// older.
func openLanesSQL(n int) string {
	return `INSERT INTO lanes (lane, head_seq, ready_at, waiting, repo, installation_id)
	VALUES ` + placeholders(n, laneColumns) + ` ON CONFLICT (lane) DO NOTHING`
}

// placeholders is rows groups of cols question marks: "(?, ?), (?, ?)".
func placeholders(rows, cols int) string {
	row := "(?" + strings.Repeat(", ?", cols-1) + ")"
	return row + strings.Repeat(", "+row, rows-1)
}

// redeliverSQL gives a failed delivery that GitHub sends again the next
// place in arrival order, so it runs after what its lane already holds.
const redeliverSQL = `UPDATE deliveries
	SET seq = (SELECT MAX(seq) FROM deliveries) + 1, status = 'pending', attempts = 0,
	    available_at = ?, lease_until = 0, worker = '', last_error = ''
	WHERE id = ? AND status = 'failed'
	RETURNING seq, lane, installation_id, order_key`

// laneTx runs fn in one write transaction (BEGIN IMMEDIATE) on the write
// connection, urgent or not.
func (s *Store) laneTx(ctx context.Context, urgent bool, fn func(*sql.Tx) error) error {
	return s.write(ctx, urgent, func() error {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			tx.Rollback()
			return err
		}
		return tx.Commit()
	})
}

// txExec and txRow run a statement inside tx, through its prepared form
// when Open prepared it (see txStatements). Preparing here is not possible:
// tx holds the write connection's only connection.
func (s *Store) txExec(ctx context.Context, tx *sql.Tx, query string, args ...any) error {
	var err error
	if st, ok := s.stmts.Load(query); ok {
		_, err = tx.StmtContext(ctx, st.(*sql.Stmt)).ExecContext(ctx, args...)
	} else {
		_, err = tx.ExecContext(ctx, query, args...)
	}
	return err
}

func (s *Store) txRow(ctx context.Context, tx *sql.Tx, query string, args ...any) rowScanner {
	if st, ok := s.stmts.Load(query); ok {
		return tx.StmtContext(ctx, st.(*sql.Stmt)).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, query, args...)
}

func (s *Store) txQuery(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	if st, ok := s.stmts.Load(query); ok {
		return tx.StmtContext(ctx, st.(*sql.Stmt)).QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, query, args...)
}

// txStatements are the queue's statements run inside transactions, prepared
// once by Open: parsing them anew each time cost a quarter of their CPU time.
var txStatements = append(chunkStatements(), redeliverSQL, laneHeadSQL, deleteLaneSQL, putLaneSQL,
	nextLaneSQL, nextLaneSkippingSQL, batchSQL, completeSQL, retrySQL, failSQL, forgetSQL)

func chunkStatements() []string {
	var out []string
	for _, n := range chunkSizes {
		out = append(out, insertSQL(n), openLanesSQL(n))
	}
	return out
}

const (
	deleteLaneSQL = `DELETE FROM lanes WHERE lane = ?`
	putLaneSQL    = `UPDATE lanes SET head_seq = ?, ready_at = ?, waiting = ? WHERE lane = ?`
)

type rowScanner interface{ Scan(...any) error }

// laneHeadSQL reads a lane's head and when it is due, through
// deliveries_unfinished_lane. Leases are not in the file (see leases).
const laneHeadSQL = `SELECT seq, available_at FROM deliveries
	WHERE lane = ?1 AND status IN ('pending', 'leased')
	ORDER BY seq LIMIT 1`

// refreshLane rewrites a lane's row from its deliveries after some of them
// changed, and drops it once nothing of the lane is unfinished.
func (s *Store) refreshLane(ctx context.Context, tx *sql.Tx, lane string, now time.Time) error {
	var seq, ready int64
	err := s.txRow(ctx, tx, laneHeadSQL, lane).Scan(&seq, &ready)
	if errors.Is(err, sql.ErrNoRows) {
		return s.txExec(ctx, tx, deleteLaneSQL, lane)
	}
	if err != nil {
		return err
	}
	return s.txExec(ctx, tx, putLaneSQL, seq, ready, boolInt(ready > now.UnixNano()), lane)
}

const deliveryColumns = `id, event, action, installation_id, order_key, payload, received_at,
	status, attempts, available_at, last_error`

func scanDelivery(row rowScanner) (store.Delivery, error) {
	var d store.Delivery
	var received, available int64
	err := row.Scan(&d.ID, &d.Event, &d.Action, &d.InstallationID, &d.OrderKey, &d.Payload, &received,
		&d.Status, &d.Attempts, &available, &d.LastError)
	d.ReceivedAt = fromNanos(received)
	d.AvailableAt = fromNanos(available)
	return d, err
}

// nextLaneSQL finds the ready lane with the oldest head, leaving out the
// lanes leased now (?4): among lanes marked ready through lanes_ready, and
// among waiting lanes whose time has come through lanes_waiting. Neither
// walks past lanes that wait, so its cost does not grow with a backlog that
// waits for GitHub; it walks past the leased lanes, at most one per worker.
const nextLaneSQL = `SELECT lane FROM (
	SELECT * FROM (SELECT lane, head_seq FROM lanes INDEXED BY lanes_ready
		WHERE waiting = 0 AND lane NOT IN (SELECT value FROM json_each(?4))
		ORDER BY head_seq LIMIT 1)
	UNION ALL
	SELECT * FROM (SELECT lane, head_seq FROM lanes INDEXED BY lanes_waiting
		WHERE waiting = 1 AND ready_at <= ?3 AND lane NOT IN (SELECT value FROM json_each(?4))
		ORDER BY ready_at LIMIT 1)
) ORDER BY head_seq LIMIT 1`

// nextLaneSkippingSQL is nextLaneSQL leaving out some repositories and
// installations too; it walks past their lanes, of which there are few
// unless a slow repository has many issues queued.
const nextLaneSkippingSQL = `SELECT lane FROM (
	SELECT * FROM (SELECT lane, head_seq FROM lanes INDEXED BY lanes_ready
		WHERE waiting = 0
		  AND repo NOT IN (SELECT value FROM json_each(?1))
		  AND installation_id NOT IN (SELECT value FROM json_each(?2))
		  AND lane NOT IN (SELECT value FROM json_each(?4))
		ORDER BY head_seq LIMIT 1)
	UNION ALL
	SELECT * FROM (SELECT lane, head_seq FROM lanes INDEXED BY lanes_waiting
		WHERE waiting = 1 AND ready_at <= ?3
		  AND repo NOT IN (SELECT value FROM json_each(?1))
		  AND installation_id NOT IN (SELECT value FROM json_each(?2))
		  AND lane NOT IN (SELECT value FROM json_each(?4))
		ORDER BY ready_at LIMIT 1)
) ORDER BY head_seq LIMIT 1`

// batchSQL reads the head of a lane, in order, through
// deliveries_unfinished_lane.
const batchSQL = `SELECT seq, ` + deliveryColumns + ` FROM deliveries
	WHERE lane = ? AND status IN ('pending', 'leased') ORDER BY seq LIMIT ?`

// skipArgs encodes what a claim skips as the JSON arrays nextLaneSQL reads.
func skipArgs(opts store.ClaimOptions) (repos, installations string) {
	r, _ := json.Marshal(nonNil(opts.SkipRepos))
	i, _ := json.Marshal(nonNil(opts.SkipInstallations))
	return string(r), string(i)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// ClaimLane leases the head of the ready lane with the oldest head, up to
// opts.Max deliveries in order; the lane waits until the lease ends or the
// deliveries finish. It only reads the file, on the write connection (whose
// page cache is fresh), and keeps the lease in memory (see leases).
func (s *Store) ClaimLane(ctx context.Context, opts store.ClaimOptions) ([]store.Delivery, error) {
	now := time.Now()
	repos, installations := skipArgs(opts)
	next := nextLaneSQL
	if len(opts.SkipRepos)+len(opts.SkipInstallations) > 0 {
		next = nextLaneSkippingSQL
	}
	var batch []store.Delivery
	var lane string
	// The write connection first, then the leases, as a purge takes them.
	err := s.write(ctx, false, func() error {
		s.leaseMu.Lock()
		defer s.leaseMu.Unlock()
		held := s.heldLanes(now)
		st, err := s.prepared(ctx, next)
		if err != nil {
			return err
		}
		if err := st.QueryRowContext(ctx, repos, installations, now.UnixNano(), held).Scan(&lane); err != nil {
			return err
		}
		st, err = s.prepared(ctx, batchSQL)
		if err != nil {
			return err
		}
		rows, err := st.QueryContext(ctx, lane, max(opts.Max, 1))
		if err != nil {
			return err
		}
		if batch, err = readBatch(rows, now); err == nil && len(batch) > 0 {
			s.lease(lane, opts.Worker, batch, now.Add(opts.Lease))
		}
		return err
	})
	if errors.Is(err, sql.ErrNoRows) || err == nil && len(batch) == 0 {
		return nil, store.ErrNoDelivery
	}
	if err != nil {
		return nil, fmt.Errorf("claiming a delivery: %w", err)
	}
	return batch, nil
}

// readBatch reads up to n deliveries at the head of a lane, stopping before
// one that is not due yet.
func readBatch(rows *sql.Rows, now time.Time) ([]store.Delivery, error) {
	defer rows.Close()
	var batch []store.Delivery
	for rows.Next() {
		var seq int64
		d, err := scanDelivery(rowsScanner{rows, &seq})
		if err != nil {
			return nil, err
		}
		if d.AvailableAt.After(now) {
			break // a retry not due yet, which only a lane's head can be
		}
		d.Status = store.DeliveryLeased
		batch = append(batch, d)
	}
	return batch, rows.Err()
}

// rowsScanner reads the arrival number in front of the delivery's columns.
type rowsScanner struct {
	rows *sql.Rows
	seq  *int64
}

func (r rowsScanner) Scan(dest ...any) error { return r.rows.Scan(append([]any{r.seq}, dest...)...) }

// Claim leases the head of the ready lane with the oldest head.
func (s *Store) Claim(ctx context.Context, worker string, leaseFor time.Duration) (store.Delivery, error) {
	batch, err := s.ClaimLane(ctx, store.ClaimOptions{Worker: worker, Lease: leaseFor, Max: 1})
	if err != nil {
		return store.Delivery{}, err
	}
	return batch[0], nil
}

// NextReady reports when a lane that opts allows is next ready, reading
// lanes_ready and then lanes_waiting on a reader connection, past the lanes
// leased now, whose leases end at their own time.
func (s *Store) NextReady(ctx context.Context, opts store.ClaimOptions) (time.Time, bool, error) {
	repos, installations := skipArgs(opts)
	now := time.Now()
	s.leaseMu.Lock()
	held := s.heldLanes(now)
	var leaseEnds time.Time
	for _, l := range s.leases {
		if slices.Contains(opts.SkipRepos, l.repo) || slices.Contains(opts.SkipInstallations, l.installation) {
			continue
		}
		if l.until.After(now) && (leaseEnds.IsZero() || l.until.Before(leaseEnds)) {
			leaseEnds = l.until
		}
	}
	s.leaseMu.Unlock()
	var at int64
	err := s.readRow(ctx, nextReadySQL, repos, installations, held).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return leaseEnds, !leaseEnds.IsZero(), nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("reading when work is next ready: %w", err)
	}
	ready := time.Unix(0, at).UTC()
	if !leaseEnds.IsZero() && leaseEnds.Before(ready) {
		ready = leaseEnds.UTC()
	}
	return ready, true, nil
}

const nextReadySQL = `SELECT at FROM (
	SELECT * FROM (SELECT 0 AS at FROM lanes INDEXED BY lanes_ready
		WHERE waiting = 0
		  AND repo NOT IN (SELECT value FROM json_each(?1))
		  AND installation_id NOT IN (SELECT value FROM json_each(?2))
		  AND lane NOT IN (SELECT value FROM json_each(?3))
		LIMIT 1)
	UNION ALL
	SELECT * FROM (SELECT ready_at AS at FROM lanes INDEXED BY lanes_waiting
		WHERE waiting = 1
		  AND repo NOT IN (SELECT value FROM json_each(?1))
		  AND installation_id NOT IN (SELECT value FROM json_each(?2))
		  AND lane NOT IN (SELECT value FROM json_each(?3))
		ORDER BY ready_at LIMIT 1)
) ORDER BY at LIMIT 1`

// Complete marks leased deliveries done and moves their lanes on.
func (s *Store) Complete(ctx context.Context, ids ...string) error {
	return s.finish(ctx, "completing", ids, true, completeSQL)
}

// The statements that finish deliveries take the ids as a JSON array (?1),
// so a batch is finished by one statement, and return each delivery's lane.
const (
	// completeSQL drops the payload: a done delivery is kept only so that a
	// redelivery of it is recognised, and its text (comment bodies) is not
	// needed for that.
	completeSQL = `UPDATE deliveries
	SET status = 'done', worker = '', lease_until = 0, payload = X''
	WHERE id IN (SELECT value FROM json_each(?1)) AND status = 'pending' RETURNING id, lane`
	forgetSQL = `DELETE FROM deliveries
	WHERE id IN (SELECT value FROM json_each(?1)) AND status = 'pending' RETURNING id, lane`
)

// Retry returns a leased delivery to the queue, due at at, and counts the
// attempt. It stays its lane's head, so later deliveries of its order key wait.
func (s *Store) Retry(ctx context.Context, id string, at time.Time, lastError string) error {
	return s.finish(ctx, "retrying", []string{id}, true, retrySQL, toNanos(at), lastError)
}

const retrySQL = `UPDATE deliveries
	SET status = 'pending', worker = '', lease_until = 0,
	    available_at = ?2, attempts = attempts + 1, last_error = ?3
	WHERE id IN (SELECT value FROM json_each(?1)) AND status = 'pending' RETURNING id, lane`

// Release hands leased deliveries back, due now, without counting an
// attempt. They are pending and due in the file already: only their lease
// ends.
func (s *Store) Release(ctx context.Context, ids ...string) error {
	s.leaseMu.Lock()
	defer s.leaseMu.Unlock()
	if missing, ok := s.allLeased(ids); !ok {
		return fmt.Errorf("releasing delivery %s: %w", missing, store.ErrNotLeased)
	}
	s.unlease(ids)
	return nil
}

// Extend keeps leased deliveries leased until until, if worker holds them
// on leases that have not ended. Leases are in memory, so it writes nothing.
func (s *Store) Extend(ctx context.Context, worker string, until time.Time, ids ...string) error {
	s.leaseMu.Lock()
	defer s.leaseMu.Unlock()
	if missing, ok := s.extend(worker, until, time.Now(), ids); !ok {
		return fmt.Errorf("extending the lease of delivery %s: %w", missing, store.ErrNotLeased)
	}
	return nil
}

// Fail marks a pending or leased delivery failed for good and counts the
// attempt; its order key is free again.
func (s *Store) Fail(ctx context.Context, id string, lastError string) error {
	return s.finish(ctx, "failing", []string{id}, false, failSQL, lastError)
}

const failSQL = `UPDATE deliveries
	SET status = 'failed', worker = '', lease_until = 0,
	    attempts = attempts + 1, last_error = ?2
	WHERE id IN (SELECT value FROM json_each(?1)) AND status = 'pending' RETURNING id, lane`

// finish runs one update of the deliveries (their ids as ?1, then args) and
// refreshes their lanes, all in one transaction, then ends their leases; it
// reports a delivery that was not in a state the update applies to (leased,
// when leased is set), and changes nothing then. A lease ends only once the
// update is committed, so no claim takes what is being finished.
func (s *Store) finish(ctx context.Context, verb string, ids []string, leased bool, query string, args ...any) error {
	if len(ids) == 0 {
		return nil
	}
	if leased {
		s.leaseMu.Lock()
		missing, ok := s.allLeased(ids)
		s.leaseMu.Unlock()
		if !ok {
			return fmt.Errorf("%s delivery %s: %w", verb, missing, store.ErrNotLeased)
		}
	}
	idsJSON, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	var missing string
	err = s.laneTx(ctx, false, func(tx *sql.Tx) error {
		rows, err := s.txQuery(ctx, tx, query, append([]any{string(idsJSON)}, args...)...)
		if err != nil {
			return err
		}
		var lanes []string
		finished := make(map[string]bool, len(ids))
		for rows.Next() {
			var id, lane string
			if err := rows.Scan(&id, &lane); err != nil {
				rows.Close()
				return err
			}
			finished[id] = true
			if !slices.Contains(lanes, lane) {
				lanes = append(lanes, lane)
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			if !finished[id] {
				missing = id
				return store.ErrNotLeased
			}
		}
		now := time.Now()
		for _, lane := range lanes {
			if err := s.refreshLane(ctx, tx, lane, now); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, store.ErrNotLeased) {
		return fmt.Errorf("%s delivery %s: %w", verb, missing, store.ErrNotLeased)
	}
	if err != nil {
		return fmt.Errorf("%s deliveries %v: %w", verb, ids, err)
	}
	s.leaseMu.Lock()
	s.unlease(ids)
	s.leaseMu.Unlock()
	return nil
}

// Depth counts deliveries pending or leased.
func (s *Store) Depth(ctx context.Context) (int, error) {
	var n int
	err := s.readRow(ctx, `SELECT COUNT(*) FROM deliveries WHERE status IN ('pending', 'leased')`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("counting queued deliveries: %w", err)
	}
	return n, nil
}

// PruneDone deletes done deliveries received before the given time.
func (s *Store) PruneDone(ctx context.Context, before time.Time) (int, error) {
	res, err := s.exec(ctx, `DELETE FROM deliveries WHERE status = 'done' AND received_at < ?`, toNanos(before))
	if err != nil {
		return 0, fmt.Errorf("pruning done deliveries: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// Delivery returns one stored delivery by id.
func (s *Store) Delivery(ctx context.Context, id string) (store.Delivery, bool, error) {
	d, err := scanDelivery(s.r.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Delivery{}, false, nil
	}
	if err != nil {
		return store.Delivery{}, false, fmt.Errorf("reading delivery %s: %w", id, err)
	}
	s.leaseMu.Lock()
	if _, ok := s.leased[id]; ok && d.Status == store.DeliveryPending {
		d.Status = store.DeliveryLeased
	}
	s.leaseMu.Unlock()
	return d, true, nil
}
