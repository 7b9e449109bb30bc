package githubsim

import (
	"fmt"
	"time"
)

// Seed is an issue or pull request that existed before the App was
// installed, with its discussion. Seeding sends no webhook: it sets the
// stage, as history does.
type Seed struct {
	Author    string
	Title     string
	Body      string
	Assignees []string
	Labels    []string
	// Age is how long ago it was opened (default: now).
	Age time.Duration
	// ClosedAge, when set, closes it that long ago.
	ClosedAge time.Duration
	Pull      bool // a pull request
	Draft     bool
	Merged    bool // with ClosedAge: merged rather than closed
	Comments  []SeedComment
	Reviews   []SeedReview
}

// SeedComment is one comment of a Seed.
type SeedComment struct {
	Author string
	Body   string
}

// SeedReview is one review of a seeded pull request, with its comments.
type SeedReview struct {
	Author   string
	Body     string
	State    string // default COMMENTED
	Comments []SeedComment
}

// Seed creates issues and pull requests in repo without any webhook, and
// returns their numbers.
func (s *Sim) Seed(repoName string, seeds ...Seed) ([]int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoLocked(repoName)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var numbers []int
	for _, sd := range seeds {
		if sd.Author == "" {
			return nil, fmt.Errorf("githubsim: a seed of %s has no author", repoName)
		}
		u := s.userLocked(sd.Author, "")
		is := s.newIssueLocked(r, u, sd.Title, sd.Body, sd.Assignees, sd.Labels)
		at := now.Add(-sd.Age)
		is.CreatedAt, is.UpdatedAt = at, at
		if sd.Pull {
			is.PR = &pull{HeadRef: fmt.Sprintf("feature-%d", is.Number), BaseRef: r.DefaultBranch, Draft: sd.Draft,
				BaseSHA: r.HeadSHA, HeadSHA: fakeSHA(fmt.Sprint(r.FullName(), is.Number, 0))}
		}
		for i, c := range sd.Comments {
			cu := s.userLocked(c.Author, "")
			ct := at.Add(time.Duration(i+1) * time.Second)
			cm := &comment{ID: s.nextID("comment"), Body: c.Body, User: cu, Assoc: s.association(r, cu),
				CreatedAt: ct, UpdatedAt: ct, repo: r, issue: is}
			is.comments = append(is.comments, cm)
			s.comments[cm.ID] = cm
		}
		for _, rv := range sd.Reviews {
			if is.PR == nil {
				return nil, fmt.Errorf("githubsim: issue %q cannot have reviews", sd.Title)
			}
			ru := s.userLocked(rv.Author, "")
			state := rv.State
			if state == "" {
				state = "COMMENTED"
			}
			review := &review{ID: s.nextID("review"), User: ru, Body: rv.Body, State: state, Assoc: s.association(r, ru),
				SubmittedAt: at.Add(time.Minute), CommitID: is.PR.HeadSHA}
			is.PR.reviews = append(is.PR.reviews, review)
			for _, c := range rv.Comments {
				s.newReviewCommentLocked(r, is, ru, review.ID, 0, ReviewCommentInput{Path: "main.go", Line: 1, Body: c.Body})
			}
		}
		if sd.ClosedAge > 0 {
			closed := now.Add(-sd.ClosedAge)
			is.State, is.ClosedAt, is.UpdatedAt = "closed", closed, closed
			if is.PR != nil && sd.Merged {
				is.PR.Merged, is.PR.MergedAt, is.PR.MergedBy = true, closed, u
			}
		}
		numbers = append(numbers, is.Number)
	}
	return numbers, nil
}

// Unsent runs change, a person's action, without its webhook reaching the
// App, as when GitHub never sent it: the world changes, nothing is
// delivered, and no delivery is logged.
func (s *Sim) Unsent(change func() error) error {
	s.mu.Lock()
	urls := map[*app]string{}
	for _, a := range s.appsLocked() {
		urls[a], a.hookURL = a.hookURL, ""
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		for a, url := range urls {
			a.hookURL = url
		}
		s.mu.Unlock()
	}()
	return change()
}
