package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ownershipbot/ownershipbot/app/store"
)

const backfillColumns = `installation_id, repo, full_name, phase, cursor, step, since,
	items_done, items_total, started_at, updated_at, finished_at, swept_at`

func scanBackfill(row pgx.Row) (store.Backfill, error) {
	var b store.Backfill
	var since, started, updated, finished, swept *time.Time
	err := row.Scan(&b.InstallationID, &b.Repo, &b.FullName, &b.Phase, &b.Cursor, &b.Step, &since,
		&b.ItemsDone, &b.ItemsTotal, &started, &updated, &finished, &swept)
	b.Since, b.StartedAt, b.UpdatedAt = fromTS(since), fromTS(started), fromTS(updated)
	b.FinishedAt, b.SweptAt = fromTS(finished), fromTS(swept)
	return b, err
}

// StartBackfill (re)starts a repository's backfill at its first phase.
func (s *Store) StartBackfill(ctx context.Context, b store.Backfill) (store.Backfill, error) {
	out, err := scanBackfill(s.pool.QueryRow(ctx, `INSERT INTO backfills (`+backfillColumns+`)
		VALUES ($1, $2, $3, $4, '', 1, $5, 0, $6, $7, $8, NULL, $9)
		ON CONFLICT (repo) DO UPDATE SET installation_id = excluded.installation_id,
			full_name = excluded.full_name, phase = excluded.phase, cursor = '', step = backfills.step + 1,
			since = excluded.since, items_done = 0, items_total = excluded.items_total,
			started_at = excluded.started_at, updated_at = excluded.updated_at, finished_at = NULL
		RETURNING `+backfillColumns,
		b.InstallationID, b.Repo, b.FullName, store.Phases[0], ts(b.Since), b.ItemsTotal,
		ts(b.StartedAt), ts(b.UpdatedAt), ts(b.SweptAt)))
	if err != nil {
		return store.Backfill{}, fmt.Errorf("starting the backfill of %s: %w", b.Repo, err)
	}
	return out, nil
}

// Backfill returns one repository's backfill.
func (s *Store) Backfill(ctx context.Context, repo string) (store.Backfill, bool, error) {
	b, err := scanBackfill(s.pool.QueryRow(ctx, `SELECT `+backfillColumns+` FROM backfills WHERE repo = $1`, repo))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Backfill{}, false, nil
	}
	if err != nil {
		return store.Backfill{}, false, fmt.Errorf("reading the backfill of %s: %w", repo, err)
	}
	return b, true, nil
}

// Backfills lists backfills by repository.
func (s *Store) Backfills(ctx context.Context, installationID int64) ([]store.Backfill, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+backfillColumns+` FROM backfills
		WHERE $1 = 0 OR installation_id = $1 ORDER BY repo`, installationID)
	if err != nil {
		return nil, fmt.Errorf("listing backfills: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Backfill, error) { return scanBackfill(r) })
	if err != nil {
		return nil, fmt.Errorf("listing backfills: %w", err)
	}
	return out, nil
}

// AdvanceBackfill stores progress if the stored step is the expected one.
func (s *Store) AdvanceBackfill(ctx context.Context, b store.Backfill, expected int64) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE backfills SET phase = $1, cursor = $2, step = $3, items_done = $4,
		items_total = $5, updated_at = $6, finished_at = $7 WHERE repo = $8 AND step = $9`,
		b.Phase, b.Cursor, b.Step, b.ItemsDone, b.ItemsTotal, ts(b.UpdatedAt), ts(b.FinishedAt), b.Repo, expected)
	if err != nil {
		return false, fmt.Errorf("storing the backfill of %s: %w", b.Repo, err)
	}
	return tag.RowsAffected() == 1, nil
}

// MarkSwept records how far the drift sweep has compared a repository.
func (s *Store) MarkSwept(ctx context.Context, repo string, at time.Time) error {
	if _, err := s.pool.Exec(ctx, `UPDATE backfills SET swept_at = $1 WHERE repo = $2`, ts(at), repo); err != nil {
		return fmt.Errorf("recording the sweep of %s: %w", repo, err)
	}
	return nil
}

// NoteRedelivery counts one more request to redeliver guid.
func (s *Store) NoteRedelivery(ctx context.Context, guid string, installationID int64, at time.Time) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `INSERT INTO redeliveries (guid, installation_id, attempts, requested_at)
		VALUES ($1, $2, 1, $3) ON CONFLICT (guid) DO UPDATE SET attempts = redeliveries.attempts + 1,
		requested_at = excluded.requested_at RETURNING attempts`, guid, installationID, at.UTC()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("recording the redelivery of %s: %w", guid, err)
	}
	return n, nil
}

// Redeliveries returns how many times guid was asked for again.
func (s *Store) Redeliveries(ctx context.Context, guid string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT attempts FROM redeliveries WHERE guid = $1`, guid).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading the redeliveries of %s: %w", guid, err)
	}
	return n, nil
}

// TryLock takes a session-level advisory lock on a connection of its own,
// held until unlock: PostgreSQL releases it too if the replica dies.
func (s *Store) TryLock(ctx context.Context, name string) (func(), bool, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return func() {}, false, fmt.Errorf("taking the %s lock: %w", name, err)
	}
	var ok bool
	const key = `hashtext(coalesce(current_schema(), '')), hashtext($1)`
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(`+key+`)`, name).Scan(&ok); err != nil {
		conn.Release()
		return func() {}, false, fmt.Errorf("taking the %s lock: %w", name, err)
	}
	if !ok {
		conn.Release()
		return func() {}, false, nil
	}
	return sync.OnceFunc(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock(`+key+`)`, name); err != nil {
			// The lock is tied to the session: close it rather than hand it
			// back to the pool still holding the lock.
			conn.Conn().Close(ctx)
		}
		conn.Release()
	}), true, nil
}

// PruneHistory forgets what the retention no longer covers.
func (s *Store) PruneHistory(ctx context.Context, before, redeliveredBefore time.Time) (int, error) {
	total := 0
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, q := range []struct {
			sql string
			arg time.Time
		}{
			{`DELETE FROM comments c USING threads t WHERE c.repo = t.repo AND c.number = t.number
				AND t.state <> 'open' AND t.updated_at < $1`, before},
			{`DELETE FROM threads WHERE state <> 'open' AND updated_at < $1`, before},
			{`DELETE FROM deliveries WHERE status = 'failed' AND received_at < $1`, before},
			{`DELETE FROM config_notices WHERE noticed_at < $1`, before},
			{`DELETE FROM redeliveries WHERE requested_at < $1`, redeliveredBefore},
		} {
			tag, err := tx.Exec(ctx, q.sql, q.arg.UTC())
			if err != nil {
				return err
			}
			total += int(tag.RowsAffected())
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
	concerns := c.Concerns
	if concerns == nil {
		concerns = []string{}
	}
	added := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO comments
			(kind, id, installation_id, repo, number, thread, author_role, level, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (kind, id) DO NOTHING`,
			c.Kind, c.ID, c.InstallationID, c.Repo, c.Number, c.Thread, c.AuthorRole, c.Level,
			c.CreatedAt.UTC(), ts(c.UpdatedAt))
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		added = true
		_, err = tx.Exec(ctx, `INSERT INTO comment_concerns (kind, id, position, concern)
			SELECT $1, $2, u.position - 1, u.concern FROM unnest($3::text[]) WITH ORDINALITY AS u (concern, position)
			ON CONFLICT DO NOTHING`, c.Kind, c.ID, concerns)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("adding %s %d: %w", c.Kind, c.ID, err)
	}
	return added, nil
}

// ThreadComments returns the stored comments of one thread, with their
// concerns, by kind and id.
func (s *Store) ThreadComments(ctx context.Context, repo string, number int) ([]store.Comment, error) {
	rows, err := s.pool.Query(ctx, `SELECT c.kind, c.id, c.installation_id, c.repo, c.number, c.thread,
		c.author_role, c.level, c.created_at, c.updated_at,
		COALESCE(array_agg(k.concern ORDER BY k.position) FILTER (WHERE k.concern IS NOT NULL), '{}')
		FROM comments c LEFT JOIN comment_concerns k ON k.kind = c.kind AND k.id = c.id
		WHERE c.repo = $1 AND c.number = $2
		GROUP BY c.kind, c.id ORDER BY c.kind, c.id`, repo, number)
	if err != nil {
		return nil, fmt.Errorf("reading the comments of %s#%d: %w", repo, number, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (c store.Comment, err error) {
		var updated *time.Time
		err = r.Scan(&c.Kind, &c.ID, &c.InstallationID, &c.Repo, &c.Number, &c.Thread,
			&c.AuthorRole, &c.Level, &c.CreatedAt, &updated, &c.Concerns)
		c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), fromTS(updated)
		if len(c.Concerns) == 0 {
			c.Concerns = nil
		}
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("reading the comments of %s#%d: %w", repo, number, err)
	}
	return out, nil
}

// InstallationRepos lists the repositories stored for an installation.
func (s *Store) InstallationRepos(ctx context.Context, installationID int64) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT repo FROM threads WHERE installation_id = $1
		UNION SELECT repo FROM comments WHERE installation_id = $1
		UNION SELECT repo FROM backfills WHERE installation_id = $1 ORDER BY 1`, installationID)
	if err != nil {
		return nil, fmt.Errorf("listing the repositories of installation %d: %w", installationID, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("listing the repositories of installation %d: %w", installationID, err)
	}
	return out, nil
}

// Forget deletes a leased delivery.
func (s *Store) Forget(ctx context.Context, id string) error {
	return s.settle(ctx, "forgetting", []string{id}, "forget", nil, "")
}
