package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ownershipbot/ownershipbot/app/store"
)

const threadColumns = `installation_id, repo, number, kind, state, title, url, draft, created_at,
	owner, owner_source, owner_kind, first_owned, rationale, rationale_evidence,
	linked_issue, pull_state, bot_comment_id, bot_comment_hash, bot_comment_pending, updated_at, snapshot_at, looked_in,
	nudge_label`

// listedThreadColumns are threadColumns for EachThread, which lists a
// repository's threads for the page: without the pull-request handler's
// bookkeeping (a tally per comment), which the page does not show.
var listedThreadColumns = strings.Replace(threadColumns, "pull_state", "'' AS pull_state", 1)

// Thread returns the stored state of an issue or pull request.
func (s *Store) Thread(ctx context.Context, repo string, number int) (store.Thread, bool, error) {
	t, err := scanThread(s.readRow(ctx, `SELECT `+threadColumns+` FROM threads WHERE repo = ? AND number = ?`, repo, number))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Thread{}, false, nil
	}
	if err == nil && t.Kind == store.ThreadPullRequest {
		t.Links, err = s.links(ctx, repo, number)
	}
	if err != nil {
		return store.Thread{}, false, fmt.Errorf("reading thread %s#%d: %w", repo, number, err)
	}
	return t, true, nil
}

const linkColumns = `link_repo, link_number, closing, kind, owner, rationale, cached`

// links reads a pull request's links in the order it mentions them.
func (s *Store) links(ctx context.Context, repo string, number int) ([]store.Link, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+linkColumns+` FROM pull_request_links
		WHERE repo = ? AND number = ? ORDER BY position`, repo, number)
	if err != nil {
		return nil, err
	}
	return collect(rows, "reading links", func(r *sql.Rows) (l store.Link, err error) {
		err = r.Scan(&l.Repo, &l.Number, &l.Closing, &l.Kind, &l.Owner, &l.Rationale, &l.Cached)
		return l, err
	})
}

// PullRequestsLinking returns the open pull requests of an installation
// that link repo#number.
func (s *Store) PullRequestsLinking(ctx context.Context, installationID int64, repo string, number int) ([]store.Thread, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT DISTINCT t.repo, t.number FROM pull_request_links l
		JOIN threads t ON t.repo = l.repo AND t.number = l.number
		WHERE l.link_repo = ? AND l.link_number = ? AND t.installation_id = ? AND t.kind = ? AND t.state = ?
		ORDER BY t.repo, t.number`, repo, number, installationID, store.ThreadPullRequest, store.StateOpen)
	if err != nil {
		return nil, fmt.Errorf("finding the pull requests that link %s#%d: %w", repo, number, err)
	}
	type ref struct {
		repo   string
		number int
	}
	refs, err := collect(rows, "finding the pull requests that link "+repo, func(r *sql.Rows) (x ref, err error) {
		err = r.Scan(&x.repo, &x.number)
		return x, err
	})
	if err != nil {
		return nil, err
	}
	out := make([]store.Thread, 0, len(refs))
	for _, x := range refs {
		t, ok, err := s.Thread(ctx, x.repo, x.number)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, t)
		}
	}
	return out, nil
}

// threadPlaceholders has one placeholder per column of threadColumns.
var threadPlaceholders = strings.TrimSuffix(strings.Repeat("?, ", strings.Count(threadColumns, ",")+1), ", ")

// threadArgs lists a thread's values in the order of threadColumns.
func threadArgs(t store.Thread) []any {
	return []any{
		t.InstallationID, t.Repo, t.Number, t.Kind, t.State, t.Title, t.URL, boolInt(t.Draft), toNanos(t.CreatedAt),
		t.Owner, t.OwnerSource, t.OwnerKind, toNanos(t.FirstOwned), t.Rationale, t.RationaleEvidence,
		t.LinkedIssue, t.PullState, t.BotCommentID, t.BotCommentHash, boolInt(t.BotCommentPending), toNanos(t.UpdatedAt), toNanos(t.SnapshotAt), t.LookedIn, t.NudgeLabel,
	}
}

// scanThread reads one row of threadColumns.
func scanThread(row interface{ Scan(...any) error }) (store.Thread, error) {
	var t store.Thread
	var created, firstOwned, updated, snapshot int64
	err := row.Scan(
		&t.InstallationID, &t.Repo, &t.Number, &t.Kind, &t.State, &t.Title, &t.URL, &t.Draft, &created,
		&t.Owner, &t.OwnerSource, &t.OwnerKind, &firstOwned, &t.Rationale, &t.RationaleEvidence,
		&t.LinkedIssue, &t.PullState, &t.BotCommentID, &t.BotCommentHash, &t.BotCommentPending, &updated, &snapshot, &t.LookedIn, &t.NudgeLabel)
	t.CreatedAt, t.FirstOwned, t.UpdatedAt, t.SnapshotAt = fromNanos(created), fromNanos(firstOwned), fromNanos(updated), fromNanos(snapshot)
	return t, err
}

var (
	putThreadSQL = `INSERT OR REPLACE INTO threads (` + threadColumns + `) VALUES (` + threadPlaceholders + `)`
	addThreadSQL = `INSERT INTO threads (` + threadColumns + `) VALUES (` + threadPlaceholders + `)
		ON CONFLICT (repo, number) DO NOTHING`
)

// PutThread inserts or replaces a thread's state.
func (s *Store) PutThread(ctx context.Context, t store.Thread) error {
	if _, err := s.writeThread(ctx, putThreadSQL, t); err != nil {
		return fmt.Errorf("storing thread %s#%d: %w", t.Repo, t.Number, err)
	}
	return nil
}

// AddThread stores a thread unless one is stored under its repo and number.
func (s *Store) AddThread(ctx context.Context, t store.Thread) (bool, error) {
	added, err := s.writeThread(ctx, addThreadSQL, t)
	if err != nil {
		return false, fmt.Errorf("adding thread %s#%d: %w", t.Repo, t.Number, err)
	}
	return added, nil
}

// writeThread runs query, an insert of one thread, and replaces the
// thread's links when it wrote a pull request. An issue, which has no
// links, costs one statement.
func (s *Store) writeThread(ctx context.Context, query string, t store.Thread) (wrote bool, err error) {
	if t.Kind != store.ThreadPullRequest {
		res, err := s.exec(ctx, query, threadArgs(t)...)
		if err != nil {
			return false, err
		}
		n, err := res.RowsAffected()
		return n == 1, err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, threadArgs(t)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return err
		}
		wrote = true
		if _, err := tx.ExecContext(ctx, `DELETE FROM pull_request_links WHERE repo = ? AND number = ?`, t.Repo, t.Number); err != nil {
			return err
		}
		for i, l := range t.Links {
			if _, err := tx.ExecContext(ctx, `INSERT INTO pull_request_links (repo, number, position, `+linkColumns+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.Repo, t.Number, i,
				l.Repo, l.Number, boolInt(l.Closing), l.Kind, l.Owner, l.Rationale, boolInt(l.Cached)); err != nil {
				return err
			}
		}
		return nil
	})
	return wrote, err
}

// DeleteThread forgets a thread and its comments.
func (s *Store) DeleteThread(ctx context.Context, repo string, number int) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM comments WHERE repo = ? AND number = ?`, repo, number); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM threads WHERE repo = ? AND number = ?`, repo, number)
		return err
	})
	if err != nil {
		return fmt.Errorf("deleting thread %s#%d: %w", repo, number, err)
	}
	return nil
}

// PutComment inserts or replaces a comment's analysis and its concerns.
func (s *Store) PutComment(ctx context.Context, c store.Comment) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		// Deleting the old row first also deletes its concerns (ON DELETE CASCADE).
		if _, err := tx.ExecContext(ctx, `DELETE FROM comments WHERE kind = ? AND id = ?`, c.Kind, c.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO comments
			(kind, id, installation_id, repo, number, thread, author_role, level, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Kind, c.ID, c.InstallationID, c.Repo, c.Number, c.Thread, c.AuthorRole, c.Level,
			toNanos(c.CreatedAt), toNanos(c.UpdatedAt)); err != nil {
			return err
		}
		for i, concern := range c.Concerns {
			if _, err := tx.ExecContext(ctx, `INSERT INTO comment_concerns (kind, id, position, concern)
				VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, c.Kind, c.ID, i, concern); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storing %s %d: %w", c.Kind, c.ID, err)
	}
	return nil
}

// DeleteComment forgets a comment and reports whether one was stored.
func (s *Store) DeleteComment(ctx context.Context, kind string, id int64) (bool, error) {
	res, err := s.exec(ctx, `DELETE FROM comments WHERE kind = ? AND id = ?`, kind, id)
	if err != nil {
		return false, fmt.Errorf("deleting %s %d: %w", kind, id, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Comment returns one stored comment analysis with its concerns in order.
func (s *Store) Comment(ctx context.Context, kind string, id int64) (store.Comment, bool, error) {
	var c store.Comment
	var created, updated int64
	err := s.r.QueryRowContext(ctx, `SELECT kind, id, installation_id, repo, number, thread, author_role, level,
		created_at, updated_at FROM comments WHERE kind = ? AND id = ?`, kind, id).Scan(
		&c.Kind, &c.ID, &c.InstallationID, &c.Repo, &c.Number, &c.Thread, &c.AuthorRole, &c.Level, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Comment{}, false, nil
	}
	if err != nil {
		return store.Comment{}, false, fmt.Errorf("reading %s %d: %w", kind, id, err)
	}
	c.CreatedAt, c.UpdatedAt = fromNanos(created), fromNanos(updated)
	rows, err := s.r.QueryContext(ctx, `SELECT concern FROM comment_concerns WHERE kind = ? AND id = ? ORDER BY position`, kind, id)
	if err != nil {
		return store.Comment{}, false, fmt.Errorf("reading the concerns of %s %d: %w", kind, id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var concern string
		if err := rows.Scan(&concern); err != nil {
			return store.Comment{}, false, fmt.Errorf("reading the concerns of %s %d: %w", kind, id, err)
		}
		c.Concerns = append(c.Concerns, concern)
	}
	if err := rows.Err(); err != nil {
		return store.Comment{}, false, fmt.Errorf("reading the concerns of %s %d: %w", kind, id, err)
	}
	return c, true, nil
}

// PutInstallation records an installation.
func (s *Store) PutInstallation(ctx context.Context, in store.Installation) error {
	_, err := s.exec(ctx, `INSERT INTO installations (id, account, suspended) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET account = excluded.account, suspended = excluded.suspended`,
		in.ID, in.Account, boolInt(in.Suspended))
	if err != nil {
		return fmt.Errorf("storing installation %d: %w", in.ID, err)
	}
	return nil
}

// Installation returns a stored installation.
func (s *Store) Installation(ctx context.Context, id int64) (store.Installation, bool, error) {
	var in store.Installation
	err := s.readRow(ctx, `SELECT id, account, suspended FROM installations WHERE id = ?`, id).
		Scan(&in.ID, &in.Account, &in.Suspended)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Installation{}, false, nil
	}
	if err != nil {
		return store.Installation{}, false, fmt.Errorf("reading installation %d: %w", id, err)
	}
	return in, true, nil
}

// DeleteInstallation forgets an installation and everything stored for it:
// threads, comments, backfills, config notices and requested redeliveries of
// its repositories, and its deliveries. Deliveries being processed are left
// to finish: the uninstall event itself is one of them.
func (s *Store) DeleteInstallation(ctx context.Context, id int64) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM config_notices WHERE repo IN (
				SELECT repo FROM threads WHERE installation_id = ?1
				UNION SELECT repo FROM comments WHERE installation_id = ?1
				UNION SELECT repo FROM backfills WHERE installation_id = ?1)`,
			`DELETE FROM rollups WHERE repo IN (
				SELECT repo FROM threads WHERE installation_id = ?1
				UNION SELECT repo FROM comments WHERE installation_id = ?1
				UNION SELECT repo FROM backfills WHERE installation_id = ?1)`,
			`DELETE FROM comments WHERE installation_id = ?1`,
			`DELETE FROM threads WHERE installation_id = ?1`,
			`DELETE FROM backfills WHERE installation_id = ?1`,
			`DELETE FROM redeliveries WHERE installation_id = ?1`,
			`DELETE FROM installations WHERE id = ?1`,
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		return s.deleteDeliveries(ctx, tx, `installation_id = ?`, id)
	})
	if err != nil {
		return fmt.Errorf("deleting installation %d: %w", id, err)
	}
	return nil
}

// DeleteRepository forgets every thread, comment, config notice and
// backfill of repo.
func (s *Store) DeleteRepository(ctx context.Context, repo string) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM comments WHERE repo = ?`,
			`DELETE FROM threads WHERE repo = ?`,
			`DELETE FROM config_notices WHERE repo = ?`,
			`DELETE FROM backfills WHERE repo = ?`,
			`DELETE FROM rollups WHERE repo = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, repo); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("deleting repository %s: %w", repo, err)
	}
	return nil
}

// ConfigNoticeSent reports whether this config problem was already reported
// in the repository.
func (s *Store) ConfigNoticeSent(ctx context.Context, repo, problemHash string) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM config_notices WHERE repo = ? AND problem_hash = ?`,
		repo, problemHash).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("reading config notices of %s: %w", repo, err)
	}
	return n > 0, nil
}

// MarkConfigNotice records that this config problem was reported.
func (s *Store) MarkConfigNotice(ctx context.Context, repo, problemHash string) error {
	_, err := s.exec(ctx, `INSERT INTO config_notices (repo, problem_hash, noticed_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, repo, problemHash, toNanos(time.Now()))
	if err != nil {
		return fmt.Errorf("recording a config notice for %s: %w", repo, err)
	}
	return nil
}

// IssueCounts counts open issues by repository, owner and rationale.
func (s *Store) IssueCounts(ctx context.Context) ([]store.IssueCount, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT repo, owner <> '', rationale IN ('weak', 'strong'), COUNT(*)
		FROM threads WHERE kind = 'issue' AND state = 'open'
		GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`)
	if err != nil {
		return nil, fmt.Errorf("counting issues: %w", err)
	}
	return collect(rows, "counting issues", func(r *sql.Rows) (c store.IssueCount, err error) {
		err = r.Scan(&c.Repo, &c.HasOwner, &c.HasRationale, &c.Count)
		return c, err
	})
}

// PullRequestCounts counts open pull requests by repository, linked issue
// and rationale.
func (s *Store) PullRequestCounts(ctx context.Context) ([]store.PullRequestCount, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT repo, linked_issue, rationale IN ('weak', 'strong'), COUNT(*)
		FROM threads WHERE kind = 'pull_request' AND state = 'open'
		GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`)
	if err != nil {
		return nil, fmt.Errorf("counting pull requests: %w", err)
	}
	return collect(rows, "counting pull requests", func(r *sql.Rows) (c store.PullRequestCount, err error) {
		err = r.Scan(&c.Repo, &c.LinkedIssue, &c.HasRationale, &c.Count)
		return c, err
	})
}

// CommentCounts counts comments created at or after since, as they stand now.
func (s *Store) CommentCounts(ctx context.Context, since time.Time) ([]store.CommentCount, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT repo, thread, author_role, level, COUNT(*)
		FROM comments WHERE created_at >= ?
		GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`, toNanos(since))
	if err != nil {
		return nil, fmt.Errorf("counting comments: %w", err)
	}
	return collect(rows, "counting comments", func(r *sql.Rows) (c store.CommentCount, err error) {
		err = r.Scan(&c.Repo, &c.Thread, &c.AuthorRole, &c.Level, &c.Count)
		return c, err
	})
}

// ConcernCounts counts the concerns of comments created at or after since.
func (s *Store) ConcernCounts(ctx context.Context, since time.Time) ([]store.ConcernCount, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT c.repo, c.thread, c.author_role, k.concern, COUNT(*)
		FROM comments c JOIN comment_concerns k ON k.kind = c.kind AND k.id = c.id
		WHERE c.created_at >= ?
		GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`, toNanos(since))
	if err != nil {
		return nil, fmt.Errorf("counting concerns: %w", err)
	}
	return collect(rows, "counting concerns", func(r *sql.Rows) (c store.ConcernCount, err error) {
		err = r.Scan(&c.Repo, &c.Thread, &c.AuthorRole, &c.Concern, &c.Count)
		return c, err
	})
}

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, what string, scan func(*sql.Rows) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// Repositories lists the repositories with stored threads.
func (s *Store) Repositories(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT DISTINCT repo FROM threads ORDER BY repo`)
	if err != nil {
		return nil, fmt.Errorf("listing repositories: %w", err)
	}
	return collect(rows, "listing repositories", func(r *sql.Rows) (repo string, err error) {
		err = r.Scan(&repo)
		return repo, err
	})
}

// EachThread calls fn with every thread of a repository, by number, without
// links or PullState, one row at a time.
func (s *Store) EachThread(ctx context.Context, repo string, fn func(store.Thread) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT `+listedThreadColumns+` FROM threads WHERE repo = ? ORDER BY number`, repo)
	if err != nil {
		return fmt.Errorf("reading the threads of %s: %w", repo, err)
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanThread(rows)
		if err != nil {
			return fmt.Errorf("reading the threads of %s: %w", repo, err)
		}
		if err := fn(t); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading the threads of %s: %w", repo, err)
	}
	return nil
}

const rollupColumns = `repo, day, open_issues, with_owner, with_rationale, with_both,
	open_pulls, pulls_linked_to_owned_issue, pulls_with_reason`

// dayLayout is how a rollup's day is stored.
const dayLayout = "2006-01-02"

// PutRollups inserts or replaces rollups in one transaction.
func (s *Store) PutRollups(ctx context.Context, rs []store.Rollup) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for _, r := range rs {
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO rollups (`+rollupColumns+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				r.Repo, r.Day.UTC().Format(dayLayout), r.OpenIssues, r.WithOwner, r.WithRationale, r.WithBoth,
				r.OpenPulls, r.PullsLinkedToOwnedIssue, r.PullsWithReason); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storing daily rollups: %w", err)
	}
	return nil
}

// Rollups returns the rollups of days at or after since.
func (s *Store) Rollups(ctx context.Context, since time.Time) ([]store.Rollup, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+rollupColumns+` FROM rollups WHERE day >= ? ORDER BY repo, day`,
		since.UTC().Format(dayLayout))
	if err != nil {
		return nil, fmt.Errorf("reading daily rollups: %w", err)
	}
	return collect(rows, "reading daily rollups", func(row *sql.Rows) (r store.Rollup, err error) {
		var day string
		if err = row.Scan(&r.Repo, &day, &r.OpenIssues, &r.WithOwner, &r.WithRationale, &r.WithBoth,
			&r.OpenPulls, &r.PullsLinkedToOwnedIssue, &r.PullsWithReason); err != nil {
			return r, err
		}
		r.Day, err = time.Parse(dayLayout, day)
		return r, err
	})
}
