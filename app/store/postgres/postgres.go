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
// The queue runs in lanes, one row per order key with unfinished work (see
// migrations/0003_lanes.sql). A claim picks the ready lane with the oldest
// head and leases a batch from its head in one statement, locking the lane
// with FOR UPDATE SKIP LOCKED, so two replicas never take the same lane and
// never wait on each other; everything that changes a lane's deliveries
// locks the lane first, so replicas keep each issue's deliveries in order.
// Leases expire, so the work of a replica that died is taken over once its
// lease runs out; a live worker renews its lease while its batch runs
// (Extend). Times for leases and retries come from the replicas' clocks,
// which are assumed to be synchronised (NTP) to well within the margin by
// which a worker stops before its lease ends (a sixth of the lease, 5 s by
// default).
// Replicas wake one another's idle workers with LISTEN/NOTIFY (see Listen).
//
// Enqueue, which a webhook's acknowledgement waits for, has a connection pool
// of its own, so it never queues for a connection behind the workers; each
// replica therefore opens up to twice pool_max_conns connections (pgx's
// default pool_max_conns is the larger of 4 and the number of CPUs), plus
// one that listens for other replicas' wake-ups. Concurrent Enqueue calls
// are stored together, one statement for many deliveries (group commit).
//
// Migrations take a transaction-scoped advisory lock, so replicas that start
// at the same moment apply each migration exactly once, one after the other.
package postgres

import (
	"context"
	"embed"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/app/store/internal/groupcommit"
	"github.com/ownershipbot/ownershipbot/app/store/internal/migrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store is the PostgreSQL implementation of store.Store. It is safe for
// concurrent use, and several Stores (replicas) may share one database.
type Store struct {
	pool     *pgxpool.Pool // everything but Enqueue
	acks     *pgxpool.Pool // Enqueue only
	conn     *pgx.ConnConfig
	enqueues *groupcommit.Committer[store.Delivery, bool]

	notifying atomic.Bool // a wake-up for other replicas is on its way
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
	s := &Store{pool: pool, conn: cfg.ConnConfig.Copy()}
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
	s.enqueues = groupcommit.New(groupWriters, maxGroup, s.EnqueueAll)
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
	s.enqueues.Close()
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
