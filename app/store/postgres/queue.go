package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ownershipbot/ownershipbot/app/store"
)

// Enqueue stores d and opens its lane; a delivery id already stored is left
// as it is and reported with inserted false, unless it failed, in which case
// it runs again at the end of its lane. Concurrent calls are stored together
// by one statement (see EnqueueAll), and each returns once its delivery is
// committed.
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

// Group commit: up to groupWriters statements in flight at once, each
// storing up to maxGroup deliveries, so that while one commit waits for the
// WAL to reach the disk the next gathers.
const (
	groupWriters = 4
	maxGroup     = 256
)

// EnqueueAll stores deliveries with one statement, in the given order, and
// reports for each whether it was stored (see Enqueue); of two deliveries
// with one id, the first is the one stored.
func (s *Store) EnqueueAll(ctx context.Context, ds []store.Delivery) ([]bool, error) {
	for _, d := range ds {
		if d.ID == "" {
			return nil, errors.New("enqueue: a delivery has no id")
		}
	}
	stored, err := s.enqueue(ctx, ds)
	if err != nil {
		return nil, fmt.Errorf("enqueueing %d deliveries: %w", len(ds), err)
	}
	out := make([]bool, len(ds))
	for i, d := range ds {
		out[i] = stored[d.ID]
		delete(stored, d.ID) // a second delivery with this id was not stored
	}
	return out, nil
}

// enqueue stores deliveries in one statement and reports which it stored.
func (s *Store) enqueue(ctx context.Context, ds []store.Delivery) (map[string]bool, error) {
	n := len(ds)
	ids, events, actions, keys, lanes, repos := make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n)
	installations := make([]int64, n)
	payloads := make([][]byte, n)
	received, available := make([]time.Time, n), make([]*time.Time, n)
	now := time.Now().UTC()
	for i, d := range ds {
		ids[i], events[i], actions[i], keys[i] = d.ID, d.Event, d.Action, d.OrderKey
		lanes[i], repos[i], installations[i] = d.Lane(), store.RepoOfKey(d.OrderKey), d.InstallationID
		payloads[i] = d.Payload
		if payloads[i] == nil {
			payloads[i] = []byte{}
		}
		received[i] = d.ReceivedAt.UTC()
		if d.ReceivedAt.IsZero() {
			received[i] = now
		}
		if !d.AvailableAt.IsZero() {
			at := d.AvailableAt.UTC()
			available[i] = &at
		}
	}
	rows, err := s.acks.Query(ctx, enqueueSQL, ids, events, actions, installations, keys, payloads, received, available,
		lanes, repos, now)
	if err != nil {
		return nil, err
	}
	stored, err := pgx.CollectRows(rows, pgx.RowTo[*string])
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(stored))
	opened := false
	for _, id := range stored {
		if id != nil {
			out[*id] = true
		} else {
			opened = true
		}
	}
	if opened {
		s.notifyLater()
	}
	return out, nil
}

// notifyEvery is the most often one replica wakes the others for work it
// stored: they look at the queue at once, and any work stored meanwhile is
// there for them too.
const notifyEvery = 20 * time.Millisecond

// notifyLater wakes the replicas' workers (LISTEN/NOTIFY) once the
// enqueue's transaction is committed, at most once per notifyEvery.
func (s *Store) notifyLater() {
	if !s.notifying.CompareAndSwap(false, true) {
		return // one is on its way, and will cover this enqueue too
	}
	go func() {
		defer time.AfterFunc(notifyEvery, func() { s.notifying.Store(false) })
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		// Not fatal: the others' slow poll covers a lost wake-up.
		s.pool.Exec(ctx, `SELECT pg_notify('ownershipbot_queue:' || current_schema(), '')`)
	}()
}

// enqueueSQL calls enqueue_deliveries (migrations/0006_lanes.sql), which
// stores the deliveries and opens their lanes in one round trip.
const enqueueSQL = `SELECT * FROM enqueue_deliveries($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[],
	$6::bytea[], $7::timestamptz[], $8::timestamptz[], $9::text[], $10::text[], $11)`

const deliveryColumns = `id, event, action, installation_id, order_key, payload, received_at,
	status, attempts, available_at, last_error`

func scanDelivery(row pgx.Row) (store.Delivery, error) {
	var d store.Delivery
	var received time.Time
	var available *time.Time
	err := row.Scan(&d.ID, &d.Event, &d.Action, &d.InstallationID, &d.OrderKey, &d.Payload, &received,
		&d.Status, &d.Attempts, &available, &d.LastError)
	d.ReceivedAt = received.UTC()
	d.AvailableAt = fromTS(available)
	return d, err
}

// claimSQL calls claim_lane (migrations/0003_lanes.sql), which picks the
// ready lane with the oldest head and leases its head in one statement; see
// there for why replicas never take a delivery twice.
const claimSQL = `SELECT ` + deliveryColumns + ` FROM claim_lane($1, $2, $3, $4, $5, $6)`

// ClaimLane leases up to opts.Max deliveries at the head of the ready lane
// with the oldest head.
func (s *Store) ClaimLane(ctx context.Context, opts store.ClaimOptions) ([]store.Delivery, error) {
	now := time.Now().UTC()
	rows, err := s.pool.Query(ctx, claimSQL, now, now.Add(opts.Lease), opts.Worker, max(opts.Max, 1),
		nonNil(opts.SkipRepos), nonNil(opts.SkipInstallations))
	if err != nil {
		return nil, fmt.Errorf("claiming a delivery: %w", err)
	}
	batch, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Delivery, error) { return scanDelivery(row) })
	if err != nil {
		return nil, fmt.Errorf("claiming a delivery: %w", err)
	}
	if len(batch) == 0 {
		return nil, store.ErrNoDelivery
	}
	return batch, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Claim leases the head of the ready lane with the oldest head.
func (s *Store) Claim(ctx context.Context, worker string, leaseFor time.Duration) (store.Delivery, error) {
	batch, err := s.ClaimLane(ctx, store.ClaimOptions{Worker: worker, Lease: leaseFor, Max: 1})
	if err != nil {
		return store.Delivery{}, err
	}
	return batch[0], nil
}

// NextReady reports when a lane that opts allows is next ready.
func (s *Store) NextReady(ctx context.Context, opts store.ClaimOptions) (time.Time, bool, error) {
	var at *time.Time
	err := s.pool.QueryRow(ctx, nextReadySQL, nonNil(opts.SkipRepos), nonNil(opts.SkipInstallations)).Scan(&at)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("reading when work is next ready: %w", err)
	}
	if at == nil {
		return time.Time{}, false, nil
	}
	return at.UTC(), true, nil
}

// nextReadySQL reads lanes_ready, then lanes_waiting; a lane ready now
// reads as the epoch.
const nextReadySQL = `SELECT COALESCE(
	(SELECT to_timestamp(0) FROM lanes
	 WHERE NOT waiting AND repo <> ALL($1) AND installation_id <> ALL($2) LIMIT 1),
	(SELECT ready_at FROM lanes
	 WHERE waiting AND repo <> ALL($1) AND installation_id <> ALL($2) ORDER BY ready_at LIMIT 1))`

// Complete marks leased deliveries done; their lanes move on.
func (s *Store) Complete(ctx context.Context, ids ...string) error {
	return s.settle(ctx, "completing", ids, "done", nil, "")
}

// Retry returns a leased delivery to the queue, due at at, and counts the
// attempt. It stays its lane's head, so later deliveries of its order key wait.
func (s *Store) Retry(ctx context.Context, id string, at time.Time, lastError string) error {
	return s.settle(ctx, "retrying", []string{id}, "retry", ts(at), lastError)
}

// Release hands leased deliveries back, due now, without counting an attempt.
func (s *Store) Release(ctx context.Context, ids ...string) error {
	return s.settle(ctx, "releasing", ids, "release", nil, "")
}

// Extend keeps leased deliveries leased until until, if worker holds them
// on leases that have not ended (extend_leases, migrations/0008).
func (s *Store) Extend(ctx context.Context, worker string, until time.Time, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.pool.Exec(ctx, `SELECT extend_leases($1, $2, $3, $4)`, ids, worker, until.UTC(), time.Now().UTC())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == notLeasedCode {
		return fmt.Errorf("extending leases: %s: %w", pgErr.Message, store.ErrNotLeased)
	}
	if err != nil {
		return fmt.Errorf("extending the leases of deliveries %v: %w", ids, err)
	}
	return nil
}

// Fail marks a pending or leased delivery failed for good and counts the
// attempt; its order key is free again.
func (s *Store) Fail(ctx context.Context, id string, lastError string) error {
	return s.settle(ctx, "failing", []string{id}, "failed", nil, lastError)
}

// notLeasedCode is the SQLSTATE settle_deliveries raises for a delivery not
// in a state its outcome applies to.
const notLeasedCode = "OB001"

// settle calls settle_deliveries (migrations/0003_lanes.sql), which finishes
// the deliveries and refreshes their lanes in one transaction.
func (s *Store) settle(ctx context.Context, verb string, ids []string, outcome string, due any, lastError string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.pool.Exec(ctx, `SELECT settle_deliveries($1, $2, $3, $4, $5)`, ids, outcome, due, lastError, time.Now().UTC())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == notLeasedCode {
		return fmt.Errorf("%s: %s: %w", verb, pgErr.Message, store.ErrNotLeased)
	}
	if err != nil {
		return fmt.Errorf("%s deliveries %v: %w", verb, ids, err)
	}
	return nil
}

// Depth counts deliveries pending or leased.
func (s *Store) Depth(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT COUNT(*) FROM deliveries WHERE status IN ('pending', 'leased')`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("counting queued deliveries: %w", err)
	}
	return n, nil
}

// PruneDone deletes done deliveries received before the given time.
func (s *Store) PruneDone(ctx context.Context, before time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM deliveries WHERE status = 'done' AND received_at < $1`, before.UTC())
	if err != nil {
		return 0, fmt.Errorf("pruning done deliveries: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// Delivery returns one stored delivery by id.
func (s *Store) Delivery(ctx context.Context, id string) (store.Delivery, bool, error) {
	d, err := scanDelivery(s.pool.QueryRow(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Delivery{}, false, nil
	}
	if err != nil {
		return store.Delivery{}, false, fmt.Errorf("reading delivery %s: %w", id, err)
	}
	return d, true, nil
}
