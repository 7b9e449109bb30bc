package ghgraphql

import "time"

// PageInfo is a connection's paging state.
type PageInfo struct {
	HasNextPage bool   `json:"hasNextPage"`
	EndCursor   string `json:"endCursor"`
}

// Actor is an author as GraphQL describes it; Typename is "User", "Bot",
// "Organization", "Mannequin" or "EnterpriseUserAccount". A deleted
// account is a nil Actor.
type Actor struct {
	Typename string `json:"__typename"`
	Login    string `json:"login"`
}

// UserType is the REST API's name of the actor's kind ("User", "Bot",
// "Organization").
func (a *Actor) UserType() string {
	if a == nil {
		return ""
	}
	return a.Typename
}

// LoginOf returns the author's login, "ghost" for a deleted account as
// GitHub's REST API shows it.
func (a *Actor) LoginOf() string {
	if a == nil {
		return "ghost"
	}
	return a.Login
}

// Comment is an issue comment, a pull request's conversation comment or a
// review comment.
type Comment struct {
	ID                string    `json:"id"`
	DatabaseID        int64     `json:"databaseId"`
	Body              string    `json:"body"`
	CreatedAt         time.Time `json:"createdAt"`
	UpdatedAt         time.Time `json:"updatedAt"`
	AuthorAssociation string    `json:"authorAssociation"`
	Author            *Actor    `json:"author"`
}

// Comments is a page of comments.
type Comments struct {
	TotalCount int       `json:"totalCount"`
	PageInfo   PageInfo  `json:"pageInfo"`
	Nodes      []Comment `json:"nodes"`
}

// Review is a pull request review with its own comments.
type Review struct {
	ID                string     `json:"id"`
	DatabaseID        int64      `json:"databaseId"`
	Body              string     `json:"body"`
	State             string     `json:"state"`
	SubmittedAt       *time.Time `json:"submittedAt"`
	CreatedAt         time.Time  `json:"createdAt"`
	AuthorAssociation string     `json:"authorAssociation"`
	Author            *Actor     `json:"author"`
	Comments          Comments   `json:"comments"`
}

// Reviews is a page of reviews.
type Reviews struct {
	TotalCount int      `json:"totalCount"`
	PageInfo   PageInfo `json:"pageInfo"`
	Nodes      []Review `json:"nodes"`
}

type names struct {
	Nodes []struct {
		Login string `json:"login"`
		Name  string `json:"name"`
	} `json:"nodes"`
}

// Thread is an issue or a pull request (Typename "Issue" or "PullRequest").
type Thread struct {
	Typename  string     `json:"__typename"`
	ID        string     `json:"id"`
	Number    int        `json:"number"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	URL       string     `json:"url"`
	State     string     `json:"state"`            // issues: OPEN, CLOSED
	PullState string     `json:"pullRequestState"` // pull requests: OPEN, CLOSED, MERGED
	IsDraft   bool       `json:"isDraft"`
	Merged    bool       `json:"merged"`
	CreatedAt time.Time  `json:"createdAt"`
	UpdatedAt time.Time  `json:"updatedAt"`
	ClosedAt  *time.Time `json:"closedAt"`
	Author    *Actor     `json:"author"`
	Assignees names      `json:"assignees"`
	Labels    names      `json:"labels"`
	Comments  Comments   `json:"comments"`
	Reviews   Reviews    `json:"reviews"`
}

// AssigneeLogins lists the assignees' logins.
func (t *Thread) AssigneeLogins() []string {
	out := make([]string, 0, len(t.Assignees.Nodes))
	for _, n := range t.Assignees.Nodes {
		out = append(out, n.Login)
	}
	return out
}

// LabelNames lists the labels' names.
func (t *Thread) LabelNames() []string {
	out := make([]string, 0, len(t.Labels.Nodes))
	for _, n := range t.Labels.Nodes {
		out = append(out, n.Name)
	}
	return out
}

// IsPullRequest reports whether the thread is a pull request.
func (t *Thread) IsPullRequest() bool { return t.Typename == "PullRequest" }

// Page is a page of issues or pull requests.
type Page struct {
	TotalCount int      `json:"totalCount"`
	PageInfo   PageInfo `json:"pageInfo"`
	Nodes      []Thread `json:"nodes"`
}

type count struct {
	TotalCount int `json:"totalCount"`
}

// CountsData is the answer to RepositoryCounts.
type CountsData struct {
	Repository *struct {
		OpenIssues         count `json:"openIssues"`
		ClosedIssues       count `json:"closedIssues"`
		OpenPullRequests   count `json:"openPullRequests"`
		ClosedPullRequests count `json:"closedPullRequests"`
	} `json:"repository"`
	RateLimit RateLimit `json:"rateLimit"`
}

// IssuesData is the answer to Issues.
type IssuesData struct {
	Repository *struct {
		Issues Page `json:"issues"`
	} `json:"repository"`
	RateLimit RateLimit `json:"rateLimit"`
}

// PullRequestsData is the answer to PullRequests.
type PullRequestsData struct {
	Repository *struct {
		PullRequests Page `json:"pullRequests"`
	} `json:"repository"`
	RateLimit RateLimit `json:"rateLimit"`
}

// ThreadData is the answer to Thread.
type ThreadData struct {
	Repository *struct {
		IssueOrPullRequest *Thread `json:"issueOrPullRequest"`
	} `json:"repository"`
	RateLimit RateLimit `json:"rateLimit"`
}

// MoreData is the answer to CommentsMore, ReviewsMore and
// ReviewCommentsMore.
type MoreData struct {
	Node *struct {
		Comments *Comments `json:"comments"`
		Reviews  *Reviews  `json:"reviews"`
	} `json:"node"`
	RateLimit RateLimit `json:"rateLimit"`
}
