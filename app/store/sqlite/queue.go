package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ownershipbot/ownershipbot/app/store"
)

// laneOf is the lane a delivery runs in: its order key's, or one of its
// own when it has none.
func laneOf(d store.Delivery) string {
	if d.OrderKey == "" {
		return "delivery:" + d.ID
	}
	return "key:" + d.OrderKey
}

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
// all of them.
func (s *Store) EnqueueAll(ctx context.Context, ds []store.Delivery) ([]bool, error) {
	for _, d := range ds {
		if d.ID == "" {
			return nil, errors.New("enqueue: a delivery has no id")
		}
	}
	inserted := make([]bool, len(ds))
	err := s.laneTx(ctx, true, func(tx *sql.Tx) error {
		now := time.Now()
		for i, d := range ds {
			var err error
			if inserted[i], err = s.enqueueTx(ctx, tx, d, now); err != nil {
				return fmt.Errorf("enqueueing delivery %s: %w", d.ID, err)
			}
		}
		return nil
	})
	return inserted, err
}

// enqueueTx stores one delivery inside tx and opens its lane if it had none.
func (s *Store) enqueueTx(ctx context.Context, tx *sql.Tx, d store.Delivery, now time.Time) (bool, error) {
	received := d.ReceivedAt
	if received.IsZero() {
		received = now
	}
	payload := d.Payload
	if payload == nil {
		payload = []byte{}
	}
	lane := laneOf(d)
	var seq int64
	err := s.txRow(ctx, tx, enqueueSQL, d.ID, d.Event, d.Action, d.InstallationID, d.OrderKey, payload,
		toNanos(received), toNanos(d.AvailableAt), lane).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		// Stored already: only a failed delivery runs again, as a new arrival.
		err = s.txRow(ctx, tx, redeliverSQL, toNanos(d.AvailableAt), d.ID).Scan(&seq, &lane, &d.InstallationID, &d.OrderKey)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
	}
	if err != nil {
		return false, err
	}
	ready := toNanos(d.AvailableAt)
	return true, s.txExec(ctx, tx, openLaneSQL, lane, seq, ready, boolInt(ready > now.UnixNano()),
		store.RepoOfKey(d.OrderKey), d.InstallationID)
}

const (
	enqueueSQL = `INSERT INTO deliveries
	(id, event, action, installation_id, order_key, payload, received_at, available_at, lane)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO NOTHING
	RETURNING seq`
	// redeliverSQL gives a failed delivery that GitHub sends again the next
	// place in arrival order, so it runs after what its lane already holds.
	redeliverSQL = `UPDATE deliveries
	SET seq = (SELECT MAX(seq) FROM deliveries) + 1, status = 'pending', attempts = 0,
	    available_at = ?, lease_until = 0, worker = '', last_error = ''
	WHERE id = ? AND status = 'failed'
	RETURNING seq, lane, installation_id, order_key`
	// openLaneSQL adds a lane for a delivery; a lane already open keeps its
	// head, which is older.
	openLaneSQL = `INSERT INTO lanes (lane, head_seq, ready_at, waiting, repo, installation_id)
	VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (lane) DO NOTHING`
)

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
var txStatements = []string{enqueueSQL, redeliverSQL, openLaneSQL, laneHeadSQL, deleteLaneSQL, putLaneSQL,
	nextLaneSQL, nextLaneSkippingSQL, batchSQL, leaseSQL, leaseLaneSQL, completeSQL, retrySQL, releaseSQL, failSQL, forgetSQL}

const (
	deleteLaneSQL = `DELETE FROM lanes WHERE lane = ?`
	putLaneSQL    = `UPDATE lanes SET head_seq = ?, ready_at = ?, waiting = ? WHERE lane = ?`
	leaseLaneSQL  = `UPDATE lanes SET ready_at = ?, waiting = 1 WHERE lane = ?`
)

type rowScanner interface{ Scan(...any) error }

// laneHeadSQL reads a lane's head and the latest live or expired lease among
// its deliveries, through deliveries_unfinished_lane and deliveries_leased_lane.
const laneHeadSQL = `SELECT seq, CASE WHEN status = 'pending' THEN available_at ELSE lease_until END,
	COALESCE((SELECT MAX(e.lease_until) FROM deliveries e WHERE e.lane = ?1 AND e.status = 'leased'), 0)
	FROM deliveries WHERE lane = ?1 AND status IN ('pending', 'leased')
	ORDER BY seq LIMIT 1`

// refreshLane rewrites a lane's row from its deliveries after some of them
// changed, and drops it once nothing of the lane is unfinished.
func (s *Store) refreshLane(ctx context.Context, tx *sql.Tx, lane string, now time.Time) error {
	var seq, headReady, lease int64
	err := s.txRow(ctx, tx, laneHeadSQL, lane).Scan(&seq, &headReady, &lease)
	if errors.Is(err, sql.ErrNoRows) {
		return s.txExec(ctx, tx, deleteLaneSQL, lane)
	}
	if err != nil {
		return err
	}
	ready := max(headReady, lease)
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

// nextLaneSQL finds the ready lane with the oldest head: among lanes marked
// ready through lanes_ready, and among waiting lanes whose time has come
// through lanes_waiting. Neither walks past lanes that wait, so its cost
// does not grow with a backlog that waits for GitHub.
const nextLaneSQL = `SELECT lane FROM (
	SELECT * FROM (SELECT lane, head_seq FROM lanes INDEXED BY lanes_ready
		WHERE waiting = 0 ORDER BY head_seq LIMIT 1)
	UNION ALL
	SELECT * FROM (SELECT lane, head_seq FROM lanes INDEXED BY lanes_waiting
		WHERE waiting = 1 AND ready_at <= ?3 ORDER BY ready_at LIMIT 1)
) ORDER BY head_seq LIMIT 1`

// nextLaneSkippingSQL is nextLaneSQL leaving out some repositories and
// installations; it walks past their lanes, of which there are few unless
// a slow repository has many issues queued.
const nextLaneSkippingSQL = `SELECT lane FROM (
	SELECT * FROM (SELECT lane, head_seq FROM lanes INDEXED BY lanes_ready
		WHERE waiting = 0
		  AND repo NOT IN (SELECT value FROM json_each(?1))
		  AND installation_id NOT IN (SELECT value FROM json_each(?2))
		ORDER BY head_seq LIMIT 1)
	UNION ALL
	SELECT * FROM (SELECT lane, head_seq FROM lanes INDEXED BY lanes_waiting
		WHERE waiting = 1 AND ready_at <= ?3
		  AND repo NOT IN (SELECT value FROM json_each(?1))
		  AND installation_id NOT IN (SELECT value FROM json_each(?2))
		ORDER BY ready_at LIMIT 1)
) ORDER BY head_seq LIMIT 1`

// batchSQL reads the head of a lane, in order, through
// deliveries_unfinished_lane.
const batchSQL = `SELECT seq, ` + deliveryColumns + ` FROM deliveries
	WHERE lane = ? AND status IN ('pending', 'leased') ORDER BY seq LIMIT ?`

// leaseSQL leases a lane's deliveries from one arrival to another.
const leaseSQL = `UPDATE deliveries SET status = 'leased', lease_until = ?, worker = ?
	WHERE lane = ? AND status IN ('pending', 'leased') AND seq BETWEEN ? AND ?`

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
// deliveries finish. It looks and leases in one write transaction: the
// worker pool claims when woken by work, so most claims find some, and a
// reader connection's first look costs more than it saves (its page cache
// is stale after every write).
func (s *Store) ClaimLane(ctx context.Context, opts store.ClaimOptions) ([]store.Delivery, error) {
	now := time.Now()
	repos, installations := skipArgs(opts)
	var batch []store.Delivery
	until := now.Add(opts.Lease).UnixNano()
	err := s.laneTx(ctx, false, func(tx *sql.Tx) error {
		next := nextLaneSQL
		if len(opts.SkipRepos)+len(opts.SkipInstallations) > 0 {
			next = nextLaneSkippingSQL
		}
		var lane string
		if err := s.txRow(ctx, tx, next, repos, installations, now.UnixNano()).Scan(&lane); err != nil {
			return err
		}
		var first, last int64
		var err error
		batch, first, last, err = s.readBatch(ctx, tx, lane, max(opts.Max, 1), now)
		if err != nil || len(batch) == 0 {
			return err
		}
		if err := s.txExec(ctx, tx, leaseSQL, until, opts.Worker, lane, first, last); err != nil {
			return err
		}
		return s.txExec(ctx, tx, leaseLaneSQL, until, lane)
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
// one that is not due yet, and the range of arrivals they span.
func (s *Store) readBatch(ctx context.Context, tx *sql.Tx, lane string, n int, now time.Time) (batch []store.Delivery, first, last int64, err error) {
	rows, err := s.txQuery(ctx, tx, batchSQL, lane, n)
	if err != nil {
		return nil, 0, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		d, err := scanDelivery(rowsScanner{rows, &seq})
		if err != nil {
			return nil, 0, 0, err
		}
		if d.Status == store.DeliveryPending && d.AvailableAt.After(now) {
			break // a retry not due yet, which only a lane's head can be
		}
		if len(batch) == 0 {
			first = seq
		}
		last = seq
		d.Status = store.DeliveryLeased
		batch = append(batch, d)
	}
	return batch, first, last, rows.Err()
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
// lanes_ready and then lanes_waiting on a reader connection.
func (s *Store) NextReady(ctx context.Context, opts store.ClaimOptions) (time.Time, bool, error) {
	repos, installations := skipArgs(opts)
	var at int64
	err := s.readRow(ctx, nextReadySQL, repos, installations).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("reading when work is next ready: %w", err)
	}
	return time.Unix(0, at).UTC(), true, nil
}

const nextReadySQL = `SELECT at FROM (
	SELECT * FROM (SELECT 0 AS at FROM lanes INDEXED BY lanes_ready
		WHERE waiting = 0
		  AND repo NOT IN (SELECT value FROM json_each(?1))
		  AND installation_id NOT IN (SELECT value FROM json_each(?2))
		LIMIT 1)
	UNION ALL
	SELECT * FROM (SELECT ready_at AS at FROM lanes INDEXED BY lanes_waiting
		WHERE waiting = 1
		  AND repo NOT IN (SELECT value FROM json_each(?1))
		  AND installation_id NOT IN (SELECT value FROM json_each(?2))
		ORDER BY ready_at LIMIT 1)
) ORDER BY at LIMIT 1`

// Complete marks leased deliveries done; their lanes move on.
func (s *Store) Complete(ctx context.Context, ids ...string) error {
	return s.finish(ctx, "completing", ids, completeSQL, func(id string) []any { return []any{id} })
}

// completeSQL drops the payload: a done delivery is kept only so that a
// redelivery of it is recognised, and its text (comment bodies) is not
// needed for that.
const completeSQL = `UPDATE deliveries
	SET status = 'done', worker = '', lease_until = 0, payload = X''
	WHERE id = ? AND status = 'leased' RETURNING lane`

const forgetSQL = `DELETE FROM deliveries WHERE id = ? AND status = 'leased' RETURNING lane`

// Retry returns a leased delivery to the queue, due at at, and counts the
// attempt. It stays its lane's head, so later deliveries of its order key wait.
func (s *Store) Retry(ctx context.Context, id string, at time.Time, lastError string) error {
	return s.finish(ctx, "retrying", []string{id}, retrySQL, func(id string) []any {
		return []any{toNanos(at), lastError, id}
	})
}

const retrySQL = `UPDATE deliveries
	SET status = 'pending', worker = '', lease_until = 0,
	    available_at = ?, attempts = attempts + 1, last_error = ?
	WHERE id = ? AND status = 'leased' RETURNING lane`

// Release hands leased deliveries back, due now, without counting an attempt.
func (s *Store) Release(ctx context.Context, ids ...string) error {
	return s.finish(ctx, "releasing", ids, releaseSQL, func(id string) []any { return []any{id} })
}

const releaseSQL = `UPDATE deliveries
	SET status = 'pending', worker = '', lease_until = 0, available_at = 0
	WHERE id = ? AND status = 'leased' RETURNING lane`

// Fail marks a pending or leased delivery failed for good and counts the
// attempt; its order key is free again.
func (s *Store) Fail(ctx context.Context, id string, lastError string) error {
	return s.finish(ctx, "failing", []string{id}, failSQL, func(id string) []any { return []any{lastError, id} })
}

const failSQL = `UPDATE deliveries
	SET status = 'failed', worker = '', lease_until = 0,
	    attempts = attempts + 1, last_error = ?
	WHERE id = ? AND status IN ('pending', 'leased') RETURNING lane`

// finish runs an update of each delivery and refreshes their lanes, all in
// one transaction, and reports a delivery that was not in a state the update
// applies to (changing nothing then).
func (s *Store) finish(ctx context.Context, verb string, ids []string, query string, args func(id string) []any) error {
	if len(ids) == 0 {
		return nil
	}
	var missing string
	err := s.laneTx(ctx, false, func(tx *sql.Tx) error {
		var lanes []string
		for _, id := range ids {
			var lane string
			err := s.txRow(ctx, tx, query, args(id)...).Scan(&lane)
			if errors.Is(err, sql.ErrNoRows) {
				missing = id
				return store.ErrNotLeased
			}
			if err != nil {
				return err
			}
			if !slices.Contains(lanes, lane) {
				lanes = append(lanes, lane)
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
	return d, true, nil
}
