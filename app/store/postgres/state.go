package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

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
	t, err := scanThread(s.pool.QueryRow(ctx, `SELECT `+threadColumns+` FROM threads WHERE repo = $1 AND number = $2`, repo, number))
	if errors.Is(err, pgx.ErrNoRows) {
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
	rows, err := s.pool.Query(ctx, `SELECT `+linkColumns+` FROM pull_request_links
		WHERE repo = $1 AND number = $2 ORDER BY position`, repo, number)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (l store.Link, err error) {
		err = r.Scan(&l.Repo, &l.Number, &l.Closing, &l.Kind, &l.Owner, &l.Rationale, &l.Cached)
		return l, err
	})
}

// PullRequestsLinking returns the open pull requests of an installation
// that link repo#number.
func (s *Store) PullRequestsLinking(ctx context.Context, installationID int64, repo string, number int) ([]store.Thread, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT t.repo, t.number FROM pull_request_links l
		JOIN threads t ON t.repo = l.repo AND t.number = l.number
		WHERE l.link_repo = $1 AND l.link_number = $2 AND t.installation_id = $3 AND t.kind = $4 AND t.state = $5
		ORDER BY t.repo, t.number`, repo, number, installationID, store.ThreadPullRequest, store.StateOpen)
	if err != nil {
		return nil, fmt.Errorf("finding the pull requests that link %s#%d: %w", repo, number, err)
	}
	type ref struct {
		repo   string
		number int
	}
	refs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (x ref, err error) {
		err = r.Scan(&x.repo, &x.number)
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("finding the pull requests that link %s#%d: %w", repo, number, err)
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

// threadPlaceholders ($1, $2, ...) and threadExcluded (excluded.installation_id,
// ...) follow threadColumns.
var threadPlaceholders, threadExcluded = func() (string, string) {
	var params, excluded []string
	for i, c := range strings.Split(threadColumns, ",") {
		params = append(params, "$"+strconv.Itoa(i+1))
		excluded = append(excluded, "excluded."+strings.TrimSpace(c))
	}
	return strings.Join(params, ", "), strings.Join(excluded, ", ")
}()

// threadArgs lists a thread's values in the order of threadColumns.
func threadArgs(t store.Thread) []any {
	return []any{
		t.InstallationID, t.Repo, t.Number, t.Kind, t.State, t.Title, t.URL, t.Draft, ts(t.CreatedAt),
		t.Owner, t.OwnerSource, t.OwnerKind, ts(t.FirstOwned), t.Rationale, t.RationaleEvidence,
		t.LinkedIssue, t.PullState, t.BotCommentID, t.BotCommentHash, t.BotCommentPending, ts(t.UpdatedAt), ts(t.SnapshotAt), t.LookedIn, t.NudgeLabel,
	}
}

// scanThread reads one row of threadColumns.
func scanThread(row pgx.Row) (store.Thread, error) {
	var t store.Thread
	var created, firstOwned, updated, snapshot *time.Time
	err := row.Scan(
		&t.InstallationID, &t.Repo, &t.Number, &t.Kind, &t.State, &t.Title, &t.URL, &t.Draft, &created,
		&t.Owner, &t.OwnerSource, &t.OwnerKind, &firstOwned, &t.Rationale, &t.RationaleEvidence,
		&t.LinkedIssue, &t.PullState, &t.BotCommentID, &t.BotCommentHash, &t.BotCommentPending, &updated, &snapshot, &t.LookedIn, &t.NudgeLabel)
	t.CreatedAt, t.FirstOwned, t.UpdatedAt, t.SnapshotAt = fromTS(created), fromTS(firstOwned), fromTS(updated), fromTS(snapshot)
	return t, err
}

var (
	putThreadSQL = `INSERT INTO threads (` + threadColumns + `) VALUES (` + threadPlaceholders + `)
		ON CONFLICT (repo, number) DO UPDATE SET (` + threadColumns + `) = ROW (` + threadExcluded + `)`
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

// writeThread runs query, an upsert of one thread, and replaces the
// thread's links when it wrote a pull request. An issue, which has no
// links, costs one statement.
func (s *Store) writeThread(ctx context.Context, query string, t store.Thread) (wrote bool, err error) {
	if t.Kind != store.ThreadPullRequest {
		tag, err := s.pool.Exec(ctx, query, threadArgs(t)...)
		return tag.RowsAffected() == 1, err
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, query, threadArgs(t)...)
		if err != nil || tag.RowsAffected() != 1 {
			return err
		}
		wrote = true
		if _, err := tx.Exec(ctx, `DELETE FROM pull_request_links WHERE repo = $1 AND number = $2`, t.Repo, t.Number); err != nil {
			return err
		}
		for i, l := range t.Links {
			if _, err := tx.Exec(ctx, `INSERT INTO pull_request_links (repo, number, position, `+linkColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, t.Repo, t.Number, i,
				l.Repo, l.Number, l.Closing, l.Kind, l.Owner, l.Rationale, l.Cached); err != nil {
				return err
			}
		}
		return nil
	})
	return wrote, err
}

// DeleteThread forgets a thread and its comments.
func (s *Store) DeleteThread(ctx context.Context, repo string, number int) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM comments WHERE repo = $1 AND number = $2`, repo, number); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM threads WHERE repo = $1 AND number = $2`, repo, number)
		return err
	})
	if err != nil {
		return fmt.Errorf("deleting thread %s#%d: %w", repo, number, err)
	}
	return nil
}

// PutComment inserts or replaces a comment's analysis and its concerns.
func (s *Store) PutComment(ctx context.Context, c store.Comment) error {
	concerns := c.Concerns
	if concerns == nil {
		concerns = []string{}
	}
	// An upsert rather than delete-and-insert, so that two replicas storing
	// the same comment at once do not trip over the primary key.
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO comments
			(kind, id, installation_id, repo, number, thread, author_role, level, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (kind, id) DO UPDATE SET
				installation_id = excluded.installation_id, repo = excluded.repo, number = excluded.number,
				thread = excluded.thread, author_role = excluded.author_role, level = excluded.level,
				created_at = excluded.created_at, updated_at = excluded.updated_at`,
			c.Kind, c.ID, c.InstallationID, c.Repo, c.Number, c.Thread, c.AuthorRole, c.Level,
			c.CreatedAt.UTC(), ts(c.UpdatedAt)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM comment_concerns WHERE kind = $1 AND id = $2`, c.Kind, c.ID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO comment_concerns (kind, id, position, concern)
			SELECT $1, $2, u.position - 1, u.concern FROM unnest($3::text[]) WITH ORDINALITY AS u (concern, position)
			ON CONFLICT DO NOTHING`, c.Kind, c.ID, concerns)
		return err
	})
	if err != nil {
		return fmt.Errorf("storing %s %d: %w", c.Kind, c.ID, err)
	}
	return nil
}

// DeleteComment forgets a comment and reports whether one was stored.
func (s *Store) DeleteComment(ctx context.Context, kind string, id int64) (bool, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM comments WHERE kind = $1 AND id = $2`, kind, id)
	if err != nil {
		return false, fmt.Errorf("deleting %s %d: %w", kind, id, err)
	}
	return tag.RowsAffected() > 0, nil
}

// Comment returns one stored comment analysis with its concerns in order.
func (s *Store) Comment(ctx context.Context, kind string, id int64) (store.Comment, bool, error) {
	var c store.Comment
	var created, updated *time.Time
	err := s.pool.QueryRow(ctx, `SELECT kind, id, installation_id, repo, number, thread, author_role, level,
		created_at, updated_at FROM comments WHERE kind = $1 AND id = $2`, kind, id).Scan(
		&c.Kind, &c.ID, &c.InstallationID, &c.Repo, &c.Number, &c.Thread, &c.AuthorRole, &c.Level, &created, &updated)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Comment{}, false, nil
	}
	if err != nil {
		return store.Comment{}, false, fmt.Errorf("reading %s %d: %w", kind, id, err)
	}
	c.CreatedAt, c.UpdatedAt = fromTS(created), fromTS(updated)
	rows, err := s.pool.Query(ctx, `SELECT concern FROM comment_concerns WHERE kind = $1 AND id = $2 ORDER BY position`, kind, id)
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
	_, err := s.pool.Exec(ctx, `INSERT INTO installations (id, account, suspended) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET account = excluded.account, suspended = excluded.suspended`,
		in.ID, in.Account, in.Suspended)
	if err != nil {
		return fmt.Errorf("storing installation %d: %w", in.ID, err)
	}
	return nil
}

// Installation returns a stored installation.
func (s *Store) Installation(ctx context.Context, id int64) (store.Installation, bool, error) {
	var in store.Installation
	err := s.pool.QueryRow(ctx, `SELECT id, account, suspended FROM installations WHERE id = $1`, id).
		Scan(&in.ID, &in.Account, &in.Suspended)
	if errors.Is(err, pgx.ErrNoRows) {
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
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, q := range []string{
			`DELETE FROM config_notices WHERE repo IN (
				SELECT repo FROM threads WHERE installation_id = $1
				UNION SELECT repo FROM comments WHERE installation_id = $1
				UNION SELECT repo FROM backfills WHERE installation_id = $1)`,
			`DELETE FROM rollups WHERE repo IN (
				SELECT repo FROM threads WHERE installation_id = $1
				UNION SELECT repo FROM comments WHERE installation_id = $1
				UNION SELECT repo FROM backfills WHERE installation_id = $1)`,
			`DELETE FROM comments WHERE installation_id = $1`,
			`DELETE FROM threads WHERE installation_id = $1`,
			`DELETE FROM backfills WHERE installation_id = $1`,
			`DELETE FROM redeliveries WHERE installation_id = $1`,
			`DELETE FROM installations WHERE id = $1`,
		} {
			if _, err := tx.Exec(ctx, q, id); err != nil {
				return err
			}
		}
		// Their lanes move on (or go) with them.
		_, err := tx.Exec(ctx, `SELECT delete_unleased_deliveries($1, $2)`, id, time.Now().UTC())
		return err
	})
	if err != nil {
		return fmt.Errorf("deleting installation %d: %w", id, err)
	}
	return nil
}

// DeleteRepository forgets every thread, comment, config notice and
// backfill of repo.
func (s *Store) DeleteRepository(ctx context.Context, repo string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, q := range []string{
			`DELETE FROM comments WHERE repo = $1`,
			`DELETE FROM threads WHERE repo = $1`,
			`DELETE FROM config_notices WHERE repo = $1`,
			`DELETE FROM backfills WHERE repo = $1`,
			`DELETE FROM rollups WHERE repo = $1`,
		} {
			if _, err := tx.Exec(ctx, q, repo); err != nil {
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
	err := s.pool.QueryRow(ctx, `SELECT COUNT(*) FROM config_notices WHERE repo = $1 AND problem_hash = $2`,
		repo, problemHash).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("reading config notices of %s: %w", repo, err)
	}
	return n > 0, nil
}

// MarkConfigNotice records that this config problem was reported.
func (s *Store) MarkConfigNotice(ctx context.Context, repo, problemHash string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO config_notices (repo, problem_hash) VALUES ($1, $2)
		ON CONFLICT DO NOTHING`, repo, problemHash)
	if err != nil {
		return fmt.Errorf("recording a config notice for %s: %w", repo, err)
	}
	return nil
}

// IssueCounts counts open issues by repository, owner and rationale.
func (s *Store) IssueCounts(ctx context.Context) ([]store.IssueCount, error) {
	rows, err := s.pool.Query(ctx, `SELECT repo, owner <> '', rationale IN ('weak', 'strong'), COUNT(*)
		FROM threads WHERE kind = 'issue' AND state = 'open'
		GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`)
	if err != nil {
		return nil, fmt.Errorf("counting issues: %w", err)
	}
	return collect(rows, "counting issues", func(r pgx.Rows) (c store.IssueCount, err error) {
		err = r.Scan(&c.Repo, &c.HasOwner, &c.HasRationale, &c.Count)
		return c, err
	})
}

// PullRequestCounts counts open pull requests by repository, linked issue
// and rationale.
func (s *Store) PullRequestCounts(ctx context.Context) ([]store.PullRequestCount, error) {
	rows, err := s.pool.Query(ctx, `SELECT repo, linked_issue, rationale IN ('weak', 'strong'), COUNT(*)
		FROM threads WHERE kind = 'pull_request' AND state = 'open'
		GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`)
	if err != nil {
		return nil, fmt.Errorf("counting pull requests: %w", err)
	}
	return collect(rows, "counting pull requests", func(r pgx.Rows) (c store.PullRequestCount, err error) {
		err = r.Scan(&c.Repo, &c.LinkedIssue, &c.HasRationale, &c.Count)
		return c, err
	})
}

// CommentCounts counts comments created at or after since, as they stand now.
func (s *Store) CommentCounts(ctx context.Context, since time.Time) ([]store.CommentCount, error) {
	rows, err := s.pool.Query(ctx, `SELECT repo, thread, author_role, level, COUNT(*)
		FROM comments WHERE created_at >= $1
		GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`, since.UTC())
	if err != nil {
		return nil, fmt.Errorf("counting comments: %w", err)
	}
	return collect(rows, "counting comments", func(r pgx.Rows) (c store.CommentCount, err error) {
		err = r.Scan(&c.Repo, &c.Thread, &c.AuthorRole, &c.Level, &c.Count)
		return c, err
	})
}

// ConcernCounts counts the concerns of comments created at or after since.
func (s *Store) ConcernCounts(ctx context.Context, since time.Time) ([]store.ConcernCount, error) {
	rows, err := s.pool.Query(ctx, `SELECT c.repo, c.thread, c.author_role, k.concern, COUNT(*)
		FROM comments c JOIN comment_concerns k ON k.kind = c.kind AND k.id = c.id
		WHERE c.created_at >= $1
		GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`, since.UTC())
	if err != nil {
		return nil, fmt.Errorf("counting concerns: %w", err)
	}
	return collect(rows, "counting concerns", func(r pgx.Rows) (c store.ConcernCount, err error) {
		err = r.Scan(&c.Repo, &c.Thread, &c.AuthorRole, &c.Concern, &c.Count)
		return c, err
	})
}

// collect scans every row with scan and closes rows.
func collect[T any](rows pgx.Rows, what string, scan func(pgx.Rows) (T, error)) ([]T, error) {
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
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT repo FROM threads ORDER BY repo`)
	if err != nil {
		return nil, fmt.Errorf("listing repositories: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("listing repositories: %w", err)
	}
	return out, nil
}

// EachThread calls fn with every thread of a repository, by number, without
// links or PullState, one row at a time.
func (s *Store) EachThread(ctx context.Context, repo string, fn func(store.Thread) error) error {
	rows, err := s.pool.Query(ctx, `SELECT `+listedThreadColumns+` FROM threads WHERE repo = $1 ORDER BY number`, repo)
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

// PutRollups inserts or replaces rollups in one transaction.
func (s *Store) PutRollups(ctx context.Context, rs []store.Rollup) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, r := range rs {
			day := r.Day.UTC()
			if _, err := tx.Exec(ctx, `INSERT INTO rollups (`+rollupColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
				ON CONFLICT (repo, day) DO UPDATE SET
					open_issues = excluded.open_issues, with_owner = excluded.with_owner,
					with_rationale = excluded.with_rationale, with_both = excluded.with_both,
					open_pulls = excluded.open_pulls, pulls_linked_to_owned_issue = excluded.pulls_linked_to_owned_issue,
					pulls_with_reason = excluded.pulls_with_reason`,
				r.Repo, time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC),
				r.OpenIssues, r.WithOwner, r.WithRationale, r.WithBoth,
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
	day := since.UTC()
	rows, err := s.pool.Query(ctx, `SELECT `+rollupColumns+` FROM rollups WHERE day >= $1 ORDER BY repo, day`,
		time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC))
	if err != nil {
		return nil, fmt.Errorf("reading daily rollups: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (r store.Rollup, err error) {
		err = row.Scan(&r.Repo, &r.Day, &r.OpenIssues, &r.WithOwner, &r.WithRationale, &r.WithBoth,
			&r.OpenPulls, &r.PullsLinkedToOwnedIssue, &r.PullsWithReason)
		r.Day = r.Day.UTC()
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("reading daily rollups: %w", err)
	}
	return out, nil
}
