package demo

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/ownershipbot/ownershipbot/app/config"
	"github.com/ownershipbot/ownershipbot/internal/demo/scenario"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

// player acts out the scenario's people on the simulated GitHub. Every act
// sends the App the signed webhook GitHub would send.
type player struct {
	sim *githubsim.Sim
	org scenario.Org
	out io.Writer
	// issueNumbers maps a repo and the scenario's 1-based issue index to
	// the number GitHub gave it.
	issueNumbers map[string]map[int]int
	// clock is the simulated month's; endOfDay is called before the clock
	// moves to the next day (nil: no simulated month).
	clock    *clock
	endOfDay func() error
}

// day moves the simulated clock to 09:00 UTC of day d of the month (0 is
// the first), after closing the day before; the clock never goes back.
func (p *player) day(d int) error {
	if p.clock == nil {
		return nil
	}
	target := p.clock.start.AddDate(0, 0, d).Add(9 * time.Hour)
	if p.clock.now().Before(target) {
		if p.endOfDay != nil {
			if err := p.endOfDay(); err != nil {
				return err
			}
		}
		p.clock.set(target)
	}
	return nil
}

// tick lets simulated time pass between two acts.
func (p *player) tick(d time.Duration) {
	if p.clock != nil {
		p.clock.advance(d)
	}
}

func (p *player) fullName(repo string) string { return p.org.Login + "/" + repo }

// setup creates the org, its people, teams and repositories silently, then
// installs the App, as an admin would.
func (p *player) setup() error {
	admin := ""
	for _, person := range p.org.People {
		kind := "User"
		if person.Bot {
			kind = "Bot"
		}
		p.sim.AddUser(person.Login, kind)
		switch person.Association {
		case "OWNER":
			p.sim.AddOrgMember(p.org.Login, person.Login, "admin")
			admin = person.Login
		case "MEMBER":
			p.sim.AddOrgMember(p.org.Login, person.Login, "member")
			if admin == "" {
				admin = person.Login
			}
		}
	}
	for slug, members := range p.org.Teams {
		p.sim.AddTeam(p.org.Login, slug, members...)
	}
	for _, r := range p.org.Repos {
		files := map[string]string{"README.md": "# " + r.Name + "\n"}
		if r.Config != "" {
			files[config.Path] = r.Config
		}
		if err := p.sim.AddRepository(p.fullName(r.Name), githubsim.RepoOptions{Description: r.Description, Files: files, Private: r.Private}); err != nil {
			return err
		}
		for _, person := range p.org.People {
			if person.Association == "COLLABORATOR" {
				if err := p.sim.AddCollaborator(p.fullName(r.Name), person.Login); err != nil {
					return err
				}
			}
		}
	}
	_, d, err := p.sim.InstallApp(admin, p.org.Login)
	return check(d, err)
}

// play replays every repository's issues, taking turns between
// repositories as a real org's activity interleaves.
func (p *player) play() error {
	p.issueNumbers = map[string]map[int]int{}
	longest := 0
	for _, r := range p.org.Repos {
		longest = max(longest, len(r.Issues))
		p.issueNumbers[r.Name] = map[int]int{}
	}
	longestPulls := 0
	for _, r := range p.org.Repos {
		longestPulls = max(longestPulls, len(r.PullRequests))
	}
	rounds := longest + longestPulls
	for i := range longest {
		if err := p.day(i * (monthDays - 1) / rounds); err != nil {
			return err
		}
		for _, r := range p.org.Repos {
			if i < len(r.Issues) {
				if err := p.playIssue(r.Name, i+1, r.Issues[i]); err != nil {
					return fmt.Errorf("demo: %s issue %d: %w", r.Name, i+1, err)
				}
			}
		}
	}
	// Pull requests come after every issue of their repository, so that
	// PullRequests[j] gets number len(Issues)+j+1 as the scenario says.
	longestIssues := longest
	longest = 0
	for _, r := range p.org.Repos {
		longest = max(longest, len(r.PullRequests))
	}
	for j := range longest {
		if err := p.day((longestIssues + j) * (monthDays - 1) / rounds); err != nil {
			return err
		}
		for _, r := range p.org.Repos {
			if j < len(r.PullRequests) {
				if err := p.playPull(r, j, r.PullRequests[j]); err != nil {
					return fmt.Errorf("demo: %s pull request %d: %w", r.Name, r.PullRequestNumber(j), err)
				}
			}
		}
	}
	return nil
}

// playPull opens a pull request, then plays its reviews, review comments,
// conversation comments and later changes (ready for review, edits,
// merge, close), each as the webhook GitHub would send.
func (p *player) playPull(r scenario.Repo, j int, pr scenario.PullRequest) error {
	full := p.fullName(r.Name)
	number, d, err := p.sim.OpenPullRequest(pr.Author, full, githubsim.PullInput{
		Title: pr.Title, Body: pr.Body, Head: pr.Head, Draft: pr.Draft, Labels: pr.Labels})
	if err := check(d, err); err != nil {
		return err
	}
	if want := r.PullRequestNumber(j); number != want {
		return fmt.Errorf("GitHub numbered it #%d, the scenario expects #%d", number, want)
	}
	for _, rv := range pr.Reviews {
		_, d, err := p.sim.SubmitReview(rv.Author, full, number, githubsim.ReviewInput{State: rv.State, Body: rv.Body})
		if err := check(d, err); err != nil {
			return err
		}
	}
	for i, c := range pr.ReviewComments {
		id, d, err := p.sim.AddReviewComment(c.Author, full, number, 0, githubsim.ReviewCommentInput{Path: "src/" + r.Name + ".go", Line: 10 * (i + 1), Body: c.Body})
		if err := check(d, err); err != nil {
			return err
		}
		if c.EditedBody != "" {
			if err := check(p.sim.EditReviewComment(c.Author, id, c.EditedBody)); err != nil {
				return err
			}
		}
		if c.Deleted {
			if err := check(p.sim.DeleteReviewComment(c.Author, id)); err != nil {
				return err
			}
		}
	}
	if err := p.comments(full, number, pr.Comments); err != nil {
		return err
	}
	for _, ch := range pr.Later {
		if err := p.changePull(full, number, ch); err != nil {
			return err
		}
	}
	return nil
}

func (p *player) comments(full string, number int, comments []scenario.Comment) error {
	for _, c := range comments {
		p.tick(10 * time.Minute)
		id, d, err := p.sim.AddComment(c.Author, full, number, c.Body)
		if err := check(d, err); err != nil {
			return err
		}
		if c.EditedBody != "" {
			if err := check(p.sim.EditComment(c.Author, id, c.EditedBody)); err != nil {
				return err
			}
		}
		if c.Deleted {
			if err := check(p.sim.DeleteComment(c.Author, id)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *player) changePull(full string, number int, ch scenario.Change) error {
	switch ch.Kind {
	case scenario.KindAssign:
		return check(p.sim.AssignPullRequest(ch.Actor, full, number, ch.Value))
	case scenario.KindUnassign:
		return check(p.sim.UnassignPullRequest(ch.Actor, full, number, ch.Value))
	case scenario.KindEditBody:
		return check(p.sim.EditPullRequestBody(ch.Actor, full, number, ch.Value))
	case scenario.KindLabel:
		return check(p.sim.LabelPullRequest(ch.Actor, full, number, ch.Value))
	case scenario.KindUnlabel:
		return check(p.sim.UnlabelPullRequest(ch.Actor, full, number, ch.Value))
	case scenario.KindReadyForReview:
		return check(p.sim.ReadyForReview(ch.Actor, full, number))
	case scenario.KindMerge:
		return check(p.sim.MergePullRequest(ch.Actor, full, number))
	case scenario.KindClose:
		return check(p.sim.ClosePullRequest(ch.Actor, full, number))
	case scenario.KindReopen:
		return check(p.sim.ReopenPullRequest(ch.Actor, full, number))
	}
	return fmt.Errorf("unknown pull request change %q", ch.Kind)
}

func (p *player) playIssue(repo string, index int, is scenario.Issue) error {
	full := p.fullName(repo)
	number, d, err := p.sim.OpenIssue(is.Author, full, githubsim.IssueInput{Title: is.Title, Body: is.Body, Assignees: is.Assignees, Labels: is.Labels})
	if err := check(d, err); err != nil {
		return err
	}
	p.issueNumbers[repo][index] = number
	p.tick(20 * time.Minute)
	if err := p.comments(full, number, is.Comments); err != nil {
		return err
	}
	for _, ch := range is.Later {
		p.tick(90 * time.Minute)
		if err := p.change(full, number, ch); err != nil {
			return err
		}
	}
	if st, ok := p.sim.Issue(full, number); is.Closed && ok && st.State == "open" {
		return check(p.sim.CloseIssue(is.Author, full, number, "completed"))
	}
	return nil
}

func (p *player) change(full string, number int, ch scenario.Change) error {
	switch ch.Kind {
	case scenario.KindAssign:
		return check(p.sim.AssignIssue(ch.Actor, full, number, ch.Value))
	case scenario.KindUnassign:
		return check(p.sim.UnassignIssue(ch.Actor, full, number, ch.Value))
	case scenario.KindEditBody:
		return check(p.sim.EditIssueBody(ch.Actor, full, number, ch.Value))
	case scenario.KindLabel:
		return check(p.sim.LabelIssue(ch.Actor, full, number, ch.Value))
	case scenario.KindUnlabel:
		return check(p.sim.UnlabelIssue(ch.Actor, full, number, ch.Value))
	case scenario.KindClose:
		return check(p.sim.CloseIssue(ch.Actor, full, number, "completed"))
	case scenario.KindReopen:
		return check(p.sim.ReopenIssue(ch.Actor, full, number))
	}
	return fmt.Errorf("unknown change %q", ch.Kind)
}

// check turns a delivery the App refused into an error: in the demo every
// delivery must be accepted (202) or answered as unused (200).
func check(d githubsim.Delivery, err error) error {
	if err != nil {
		return err
	}
	if d.Status != 202 && d.Status != 200 {
		return fmt.Errorf("the App answered %d to %s delivery %s: %s", d.Status, d.Event, d.ID, d.Err)
	}
	return nil
}

// monthDays is how many days the demo's history spans, today included.
const monthDays = 30

// clock is the demo's simulated time: the replay walks through the last
// month, so the page has a month of daily rollups and real times to owner,
// and ends at the wall clock's now.
type clock struct {
	start time.Time // midnight UTC of the month's first day

	mu     sync.Mutex
	offset time.Duration // simulated time minus wall time
}

func newClock(now time.Time) *clock {
	today := now.UTC().Truncate(24 * time.Hour)
	c := &clock{start: today.AddDate(0, 0, -(monthDays - 1))}
	c.set(c.start.Add(8 * time.Hour)) // setting the stage, the morning of the first day
	return c
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = time.Until(t)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// catchUp brings simulated time to the wall clock's, unless it is ahead.
func (c *clock) catchUp() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.offset < 0 {
		c.offset = 0
	}
}
