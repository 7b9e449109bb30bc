package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ownershipbot/ownershipbot/app/store"
)

const backfillColumns = `installation_id, repo, full_name, phase, cursor, step, since,
	items_done, items_total, started_at, updated_at, finished_at, swept_at`

func scanBackfill(row rowScanner) (store.Backfill, error) {
	var b store.Backfill
	var since, started, updated, finished, swept int64
	err := row.Scan(&b.InstallationID, &b.Repo, &b.FullName, &b.Phase, &b.Cursor, &b.Step, &since,
		&b.ItemsDone, &b.ItemsTotal, &started, &updated, &finished, &swept)
	b.Since, b.StartedAt, b.UpdatedAt = fromNanos(since), fromNanos(started), fromNanos(updated)
	b.FinishedAt, b.SweptAt = fromNanos(finished), fromNanos(swept)
	return b, err
}

// StartBackfill (re)starts a repository's backfill at its first phase.
func (s *Store) StartBackfill(ctx context.Context, b store.Backfill) (store.Backfill, error) {
	b.Phase, b.Cursor, b.ItemsDone, b.FinishedAt = store.Phases[0], "", 0, time.Time{}
	var out store.Backfill
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = scanBackfill(tx.QueryRowContext(ctx, `INSERT INTO backfills (`+backfillColumns+`)
			VALUES (?, ?, ?, ?, '', 1, ?, 0, ?, ?, ?, 0, ?)
			ON CONFLICT (repo) DO UPDATE SET installation_id = excluded.installation_id,
				full_name = excluded.full_name, phase = excluded.phase, cursor = '', step = backfills.step + 1,
				since = excluded.since, items_done = 0, items_total = excluded.items_total,
				started_at = excluded.started_at, updated_at = excluded.updated_at, finished_at = 0
			RETURNING `+backfillColumns,
			b.InstallationID, b.Repo, b.FullName, b.Phase, toNanos(b.Since), b.ItemsTotal,
			toNanos(b.StartedAt), toNanos(b.UpdatedAt), toNanos(b.SweptAt)))
		return err
	})
	if err != nil {
		return store.Backfill{}, fmt.Errorf("starting the backfill of %s: %w", b.Repo, err)
	}
	return out, nil
}

// Backfill returns one repository's backfill.
func (s *Store) Backfill(ctx context.Context, repo string) (store.Backfill, bool, error) {
	b, err := scanBackfill(s.r.QueryRowContext(ctx, `SELECT `+backfillColumns+` FROM backfills WHERE repo = ?`, repo))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Backfill{}, false, nil
	}
	if err != nil {
		return store.Backfill{}, false, fmt.Errorf("reading the backfill of %s: %w", repo, err)
	}
	return b, true, nil
}

// Backfills lists backfills by repository.
func (s *Store) Backfills(ctx context.Context, installationID int64) ([]store.Backfill, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+backfillColumns+` FROM backfills
		WHERE ?1 = 0 OR installation_id = ?1 ORDER BY repo`, installationID)
	if err != nil {
		return nil, fmt.Errorf("listing backfills: %w", err)
	}
	return collect(rows, "listing backfills", func(r *sql.Rows) (store.Backfill, error) { return scanBackfill(r) })
}

// AdvanceBackfill stores progress if the stored step is the expected one.
func (s *Store) AdvanceBackfill(ctx context.Context, b store.Backfill, expected int64) (bool, error) {
	res, err := s.exec(ctx, `UPDATE backfills SET phase = ?, cursor = ?, step = ?, items_done = ?, items_total = ?,
		updated_at = ?, finished_at = ? WHERE repo = ? AND step = ?`,
		b.Phase, b.Cursor, b.Step, b.ItemsDone, b.ItemsTotal, toNanos(b.UpdatedAt), toNanos(b.FinishedAt), b.Repo, expected)
	if err != nil {
		return false, fmt.Errorf("storing the backfill of %s: %w", b.Repo, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// MarkSwept records how far the drift sweep has compared a repository.
func (s *Store) MarkSwept(ctx context.Context, repo string, at time.Time) error {
	if _, err := s.exec(ctx, `UPDATE backfills SET swept_at = ? WHERE repo = ?`, toNanos(at), repo); err != nil {
		return fmt.Errorf("recording the sweep of %s: %w", repo, err)
	}
	return nil
}

// NoteRedelivery counts one more request to redeliver guid.
func (s *Store) NoteRedelivery(ctx context.Context, guid string, installationID int64, at time.Time) (int, error) {
	var n int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO redeliveries (guid, installation_id, attempts, requested_at)
			VALUES (?, ?, 1, ?) ON CONFLICT (guid) DO UPDATE SET attempts = redeliveries.attempts + 1,
			requested_at = excluded.requested_at RETURNING attempts`, guid, installationID, toNanos(at)).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("recording the redelivery of %s: %w", guid, err)
	}
	return n, nil
}

// Redeliveries returns how many times guid was asked for again.
func (s *Store) Redeliveries(ctx context.Context, guid string) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT attempts FROM redeliveries WHERE guid = ?`, guid).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading the redeliveries of %s: %w", guid, err)
	}
	return n, nil
}

// locks are the TryLock locks: one process owns a SQLite file, so a lock
// in memory is a lock for every replica there is.
var locks sync.Map // *Store + name -> struct{}

type lockKey struct {
	s    *Store
	name string
}

// TryLock takes an in-process lock.
func (s *Store) TryLock(ctx context.Context, name string) (func(), bool, error) {
	key := lockKey{s, name}
	if _, taken := locks.LoadOrStore(key, struct{}{}); taken {
		return func() {}, false, nil
	}
	return sync.OnceFunc(func() { locks.Delete(key) }), true, nil
}

// PruneHistory forgets what the retention no longer covers.
func (s *Store) PruneHistory(ctx context.Context, before, redeliveredBefore time.Time) (int, error) {
	total := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		b, r := toNanos(before), toNanos(redeliveredBefore)
		for _, q := range []struct {
			sql string
			arg int64
		}{
			{`DELETE FROM comments WHERE (repo, number) IN (
				SELECT repo, number FROM threads WHERE state <> 'open' AND updated_at < ?)`, b},
			{`DELETE FROM threads WHERE state <> 'open' AND updated_at < ?`, b},
			{`DELETE FROM deliveries WHERE status = 'failed' AND received_at < ?`, b},
			{`DELETE FROM config_notices WHERE noticed_at < ?`, b},
			{`DELETE FROM redeliveries WHERE requested_at < ?`, r},
		} {
			res, err := tx.ExecContext(ctx, q.sql, q.arg)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			total += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("pruning history: %w", err)
	}
	return total, nil
}

// AddComment stores a comment's analysis unless one is stored.
func (s *Store) AddComment(ctx context.Context, c store.Comment) (bool, error) {
	added := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO comments
			(kind, id, installation_id, repo, number, thread, author_role, level, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, id) DO NOTHING`,
			c.Kind, c.ID, c.InstallationID, c.Repo, c.Number, c.Thread, c.AuthorRole, c.Level,
			toNanos(c.CreatedAt), toNanos(c.UpdatedAt))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		added = true
		for i, concern := range c.Concerns {
			if _, err := tx.ExecContext(ctx, `INSERT INTO comment_concerns (kind, id, position, concern)
				VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, c.Kind, c.ID, i, concern); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("adding %s %d: %w", c.Kind, c.ID, err)
	}
	return added, nil
}

// ThreadComments returns the stored comments of one thread, with their
// concerns, by kind and id.
func (s *Store) ThreadComments(ctx context.Context, repo string, number int) ([]store.Comment, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT c.kind, c.id, c.installation_id, c.repo, c.number, c.thread,
		c.author_role, c.level, c.created_at, c.updated_at, COALESCE(k.concern, '')
		FROM comments c LEFT JOIN comment_concerns k ON k.kind = c.kind AND k.id = c.id
		WHERE c.repo = ? AND c.number = ? ORDER BY c.kind, c.id, k.position`, repo, number)
	if err != nil {
		return nil, fmt.Errorf("reading the comments of %s#%d: %w", repo, number, err)
	}
	defer rows.Close()
	var out []store.Comment
	for rows.Next() {
		var c store.Comment
		var created, updated int64
		var concern string
		if err := rows.Scan(&c.Kind, &c.ID, &c.InstallationID, &c.Repo, &c.Number, &c.Thread,
			&c.AuthorRole, &c.Level, &created, &updated, &concern); err != nil {
			return nil, fmt.Errorf("reading the comments of %s#%d: %w", repo, number, err)
		}
		if n := len(out); n > 0 && out[n-1].Kind == c.Kind && out[n-1].ID == c.ID {
			out[n-1].Concerns = append(out[n-1].Concerns, concern)
			continue
		}
		c.CreatedAt, c.UpdatedAt = fromNanos(created), fromNanos(updated)
		if concern != "" {
			c.Concerns = []string{concern}
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the comments of %s#%d: %w", repo, number, err)
	}
	return out, nil
}

// InstallationRepos lists the repositories stored for an installation.
func (s *Store) InstallationRepos(ctx context.Context, installationID int64) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT repo FROM threads WHERE installation_id = ?1
		UNION SELECT repo FROM comments WHERE installation_id = ?1
		UNION SELECT repo FROM backfills WHERE installation_id = ?1 ORDER BY 1`, installationID)
	if err != nil {
		return nil, fmt.Errorf("listing the repositories of installation %d: %w", installationID, err)
	}
	return collect(rows, "listing repositories", func(r *sql.Rows) (repo string, err error) {
		err = r.Scan(&repo)
		return repo, err
	})
}

// Forget deletes a leased delivery and moves its lane on.
func (s *Store) Forget(ctx context.Context, id string) error {
	return s.finish(ctx, "forgetting", []string{id}, true, forgetSQL)
}

// deleteDeliveries deletes the unleased deliveries matching where (with
// args) and refreshes the lanes they were in.
func (s *Store) deleteDeliveries(ctx context.Context, tx *sql.Tx, where string, args ...any) error {
	s.leaseMu.Lock()
	leased := s.leasedIDs()
	s.leaseMu.Unlock()
	rows, err := tx.QueryContext(ctx, `DELETE FROM deliveries WHERE status <> 'leased' AND (`+where+`)
		AND id NOT IN (SELECT value FROM json_each(?)) RETURNING lane`, append(args, leased)...)
	if err != nil {
		return err
	}
	lanes, err := collect(rows, "deleting deliveries", func(r *sql.Rows) (lane string, err error) {
		err = r.Scan(&lane)
		return lane, err
	})
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, lane := range lanes {
		if !seen[lane] {
			seen[lane] = true
			if err := s.refreshLane(ctx, tx, lane, time.Now()); err != nil {
				return err
			}
		}
	}
	return nil
}
