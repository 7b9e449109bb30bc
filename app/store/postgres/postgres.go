// Package postgres is the store for several replicas sharing one PostgreSQL
// database, through github.com/jackc/pgx/v5.
//
// # Durability
//
// Every write is a committed transaction with PostgreSQL's default
// synchronous_commit=on: once Enqueue returns, the delivery is in the
// server's flushed WAL and survives a crash of the replica, of the server
// process and of the machine.
//
// # Several replicas
//
// Claim picks and leases a delivery in one statement, locking the row it
// picks with FOR UPDATE SKIP LOCKED, so two replicas never take the same
// delivery and never wait on each other. A delivery whose order key has an
// earlier unfinished delivery or a live lease is passed over; see claimSQL
// for why a stale snapshot cannot break that rule. Leases expire, so the work
// of a replica that died is taken over once its lease runs out. Times for
// leases and retries come from the replicas' clocks, which are assumed to be
// synchronised (NTP) to well within a lease.
//
// Enqueue, which a webhook's acknowledgement waits for, has a connection pool
// of its own, so it never queues for a connection behind the workers; each
// replica therefore opens up to twice pool_max_conns connections (pgx's
// default pool_max_conns is the larger of 4 and the number of CPUs).
//
// Migrations take a transaction-scoped advisory lock, so replicas that start
// at the same moment apply each migration exactly once, one after the other.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/app/store/internal/migrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store is the PostgreSQL implementation of store.Store. It is safe for
// concurrent use, and several Stores (replicas) may share one database.
type Store struct {
	pool *pgxpool.Pool // everything but Enqueue
	acks *pgxpool.Pool // Enqueue only
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at url (postgres://user:password@host/db?...),
// checks that it answers and applies the migrations it has not seen yet.
// Tables live in the first schema of the connection's search_path, which a
// search_path parameter in the url can set. Errors never contain the
// password.
func Open(ctx context.Context, url string) (*Store, error) {
	where := describe(url)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("the PostgreSQL URL %s is not valid: %s", where, scrub(err, url))
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to PostgreSQL at %s: %s", where, scrub(err, url))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connecting to PostgreSQL at %s: %s", where, scrub(err, url))
	}
	s := &Store{pool: pool}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("migrating PostgreSQL at %s: %s", where, scrub(err, url))
	}
	acks, err := pgxpool.NewWithConfig(ctx, cfg.Copy())
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("connecting to PostgreSQL at %s: %s", where, scrub(err, url))
	}
	s.acks = acks
	return s, nil
}

// describe names a database by host and name only, for error messages.
func describe(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "the given URL"
	}
	return u.Host + u.Path
}

// scrub returns err's text with the URL's password, if any, masked: driver
// errors may quote parts of the connection string.
func scrub(err error, raw string) string {
	msg := err.Error()
	u, perr := url.Parse(raw)
	if perr != nil {
		return msg
	}
	secrets := []string{u.Query().Get("password")}
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			secrets = append(secrets, pw)
		}
	}
	for _, pw := range secrets {
		if pw != "" {
			msg = strings.ReplaceAll(msg, pw, "xxxxx")
			msg = strings.ReplaceAll(msg, url.QueryEscape(pw), "xxxxx")
		}
	}
	return msg
}

// migrationLockKey is the second key of the advisory lock that serialises
// migrations; the first is a hash of the schema, so databases with several
// schemas (as the tests use) migrate them independently.
const migrationLockKey = 0x6f62 // "ob"

// migrate applies pending migrations one at a time, each in its own
// transaction that first takes the migration lock and re-reads the version:
// a replica that waited for another one finds the work done.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrate.Load(migrationFiles, "migrations")
	if err != nil {
		return err
	}
	for {
		applied := false
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext(coalesce(current_schema(), '')), $1)`,
				migrationLockKey); err != nil {
				return fmt.Errorf("taking the migration lock: %w", err)
			}
			if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
				version    INTEGER     PRIMARY KEY,
				applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
			)`); err != nil {
				return fmt.Errorf("creating schema_migrations: %w", err)
			}
			var current int
			if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
				return fmt.Errorf("reading the schema version: %w", err)
			}
			pending, err := migrate.Pending(ms, current)
			if err != nil || len(pending) == 0 {
				return err
			}
			m := pending[0]
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("applying migration %s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, m.Version); err != nil {
				return fmt.Errorf("recording migration %s: %w", m.Name, err)
			}
			applied = true
			return nil
		})
		if err != nil {
			return err
		}
		if !applied {
			return nil
		}
	}
}

// Close closes the connection pools.
func (s *Store) Close() error {
	s.acks.Close()
	s.pool.Close()
	return nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("PostgreSQL store does not answer: %w", err)
	}
	return nil
}

// ts encodes a time for a nullable column: the zero time is NULL.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// fromTS decodes ts, in UTC.
func fromTS(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// Enqueue stores d with one INSERT; a delivery id already stored is left as
// it is and reported with inserted false.
func (s *Store) Enqueue(ctx context.Context, d store.Delivery) (bool, error) {
	if d.ID == "" {
		return false, errors.New("enqueue: the delivery has no id")
	}
	received := d.ReceivedAt
	if received.IsZero() {
		received = time.Now()
	}
	payload := d.Payload
	if payload == nil {
		payload = []byte{}
	}
	tag, err := s.acks.Exec(ctx, `INSERT INTO deliveries
		(id, event, action, installation_id, order_key, payload, received_at, available_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (id) DO UPDATE SET status = 'pending', attempts = 0, available_at = excluded.available_at,
			lease_until = NULL, worker = '', last_error = ''
		WHERE deliveries.status = 'failed'`,
		d.ID, d.Event, d.Action, d.InstallationID, d.OrderKey, payload, received.UTC(), ts(d.AvailableAt))
	if err != nil {
		return false, fmt.Errorf("enqueueing delivery %s: %w", d.ID, err)
	}
	return tag.RowsAffected() == 1, nil
}

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

// claimSQL calls claim_delivery (migrations/0001_initial.sql), which leases
// the first unfinished delivery in arrival order that is ready (pending and
// due, or leased with an expired lease) and whose order key has no earlier
// unfinished delivery and no live lease, in one statement.
//
// Across replicas: FOR UPDATE SKIP LOCKED passes over a row another replica
// is leasing right now; a row changed since the statement's snapshot is
// re-checked on its newest version before it is locked, and fails the
// readiness test if someone else leased or finished it. The order-key test
// reads the snapshot, which can only be more cautious than the present: an
// earlier delivery it sees as unfinished may have finished since (the key
// waits one more poll), but no delivery of the same key can have become
// leased unseen, since that needs the candidate itself finished first. The
// one order this cannot promise is between two deliveries of one key
// enqueued at the same instant on two replicas, whose arrival order is
// itself undefined; they still never run at the same time, thanks to the
// live-lease test.
const claimSQL = `SELECT ` + deliveryColumns + ` FROM claim_delivery($1, $2, $3)`

// Claim leases the oldest ready delivery to worker for leaseFor.
func (s *Store) Claim(ctx context.Context, worker string, leaseFor time.Duration) (store.Delivery, error) {
	now := time.Now().UTC()
	d, err := scanDelivery(s.pool.QueryRow(ctx, claimSQL, now, now.Add(leaseFor), worker))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Delivery{}, store.ErrNoDelivery
	}
	if err != nil {
		return store.Delivery{}, fmt.Errorf("claiming a delivery: %w", err)
	}
	return d, nil
}

// Complete marks a leased delivery done.
func (s *Store) Complete(ctx context.Context, id string) error {
	// The payload goes: a done delivery is kept only so that a redelivery
	// of it is recognised, and its text (comment bodies) is not needed for that.
	return s.finish(ctx, "completing", id, `UPDATE deliveries
		SET status = 'done', worker = '', lease_until = NULL, payload = ''::bytea
		WHERE id = $1 AND status = 'leased'`, id)
}

// Retry returns a leased delivery to the queue, due at at, and counts the
// attempt. It stays unfinished, so later deliveries of its order key wait.
func (s *Store) Retry(ctx context.Context, id string, at time.Time, lastError string) error {
	return s.finish(ctx, "retrying", id, `UPDATE deliveries
		SET status = 'pending', worker = '', lease_until = NULL,
		    available_at = $2, attempts = attempts + 1, last_error = $3
		WHERE id = $1 AND status = 'leased'`, id, ts(at), lastError)
}

// Fail marks a pending or leased delivery failed for good and counts the
// attempt; its order key is free again.
func (s *Store) Fail(ctx context.Context, id string, lastError string) error {
	return s.finish(ctx, "failing", id, `UPDATE deliveries
		SET status = 'failed', worker = '', lease_until = NULL,
		    attempts = attempts + 1, last_error = $2
		WHERE id = $1 AND status IN ('pending', 'leased')`, id, lastError)
}

// finish runs an update of one delivery and reports a delivery that was not
// in a state the update applies to.
func (s *Store) finish(ctx context.Context, verb, id, query string, args ...any) error {
	tag, err := s.pool.Exec(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s delivery %s: %w", verb, id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s delivery %s: %w", verb, id, store.ErrNotLeased)
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
