package ghgraphql

// The queries the App sends to GitHub's GraphQL API. Each is validated
// against GitHub's published schema by the tests (see package
// internal/githubsim/gqlschema), and the simulated GitHub refuses any query
// that does not validate.
//
// Connections ask for pages of 100, GitHub's most; lists nested in a page
// ask for less where a page of 100 parents would otherwise multiply the
// query's cost (GitHub counts one request per parent for each nested
// connection). Nested lists that were cut short are read on with the *More
// queries.

// MaxPage is the most items GitHub gives in one page, and the size the
// App asks for first.
const MaxPage = 100

// Queries lists every query the App sends, by name, for the tests.
var Queries = map[string]string{
	"RepositoryCounts":   QueryRepositoryCounts,
	"Issues":             QueryIssues,
	"PullRequests":       QueryPullRequests,
	"Thread":             QueryThread,
	"CommentsMore":       QueryCommentsMore,
	"ReviewsMore":        QueryReviewsMore,
	"ReviewCommentsMore": QueryReviewCommentsMore,
}

const rateLimitFields = `rateLimit { cost limit remaining resetAt }`

const actorFields = `author { __typename login }`

const commentFields = `
fragment CommentFields on IssueComment {
  id databaseId body createdAt updatedAt authorAssociation
  ` + actorFields + `
}`

const reviewCommentFields = `
fragment ReviewCommentFields on PullRequestReviewComment {
  id databaseId body createdAt updatedAt authorAssociation
  ` + actorFields + `
}`

const reviewFields = `
fragment ReviewFields on PullRequestReview {
  id databaseId body state submittedAt createdAt authorAssociation
  ` + actorFields + `
  comments(first: 50) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { ...ReviewCommentFields }
  }
}`

const issueFields = `
fragment IssueFields on Issue {
  id number title body url state createdAt updatedAt closedAt
  ` + actorFields + `
  assignees(first: 10) { nodes { login } }
  labels(first: 20) { nodes { name } }
  comments(first: 100) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { ...CommentFields }
  }
}`

// pullRequestFields names the state apart: a query that may return an
// issue or a pull request cannot have one field "state" of two types.
const pullRequestFields = `
fragment PullRequestFields on PullRequest {
  id number title body url pullRequestState: state isDraft merged createdAt updatedAt closedAt
  ` + actorFields + `
  assignees(first: 10) { nodes { login } }
  labels(first: 20) { nodes { name } }
  comments(first: 100) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { ...CommentFields }
  }
  reviews(first: 20) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { ...ReviewFields }
  }
}`

// QueryRepositoryCounts reads how many issues and pull requests a backfill will
// read, for its progress metrics.
const QueryRepositoryCounts = `query RepositoryCounts($owner: String!, $name: String!, $since: DateTime) {
  repository(owner: $owner, name: $name) {
    openIssues: issues(first: 1, states: [OPEN]) { totalCount }
    closedIssues: issues(first: 1, states: [CLOSED], filterBy: {since: $since}) { totalCount }
    openPullRequests: pullRequests(first: 1, states: [OPEN]) { totalCount }
    closedPullRequests: pullRequests(first: 1, states: [CLOSED, MERGED]) { totalCount }
  }
  ` + rateLimitFields + `
}`

// QueryIssues reads a page of a repository's issues with their comments;
// $first is the page size, at most 100 (see MaxPage).
const QueryIssues = `query Issues($owner: String!, $name: String!, $states: [IssueState!], $since: DateTime,
    $order: IssueOrder!, $cursor: String, $first: Int!) {
  repository(owner: $owner, name: $name) {
    issues(first: $first, after: $cursor, states: $states, filterBy: {since: $since}, orderBy: $order) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { ...IssueFields }
    }
  }
  ` + rateLimitFields + `
}` + issueFields + commentFields

// QueryPullRequests reads a page of a repository's pull requests with their
// conversation, reviews and review comments; $first is the page size, at
// most 100.
const QueryPullRequests = `query PullRequests($owner: String!, $name: String!, $states: [PullRequestState!],
    $order: IssueOrder!, $cursor: String, $first: Int!) {
  repository(owner: $owner, name: $name) {
    pullRequests(first: $first, after: $cursor, states: $states, orderBy: $order) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { ...PullRequestFields }
    }
  }
  ` + rateLimitFields + `
}` + pullRequestFields + reviewFields + reviewCommentFields + commentFields

// QueryThread reads one issue or pull request as it stands now.
const QueryThread = `query Thread($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    issueOrPullRequest(number: $number) {
      __typename
      ...IssueFields
      ...PullRequestFields
    }
  }
  ` + rateLimitFields + `
}` + issueFields + pullRequestFields + reviewFields + reviewCommentFields + commentFields

// QueryCommentsMore reads on the comments of an issue or pull request.
const QueryCommentsMore = `query CommentsMore($id: ID!, $cursor: String) {
  node(id: $id) {
    ... on Issue {
      comments(first: 100, after: $cursor) { pageInfo { hasNextPage endCursor } nodes { ...CommentFields } }
    }
    ... on PullRequest {
      comments(first: 100, after: $cursor) { pageInfo { hasNextPage endCursor } nodes { ...CommentFields } }
    }
  }
  ` + rateLimitFields + `
}` + commentFields

// QueryReviewsMore reads on the reviews of a pull request.
const QueryReviewsMore = `query ReviewsMore($id: ID!, $cursor: String) {
  node(id: $id) {
    ... on PullRequest {
      reviews(first: 20, after: $cursor) { pageInfo { hasNextPage endCursor } nodes { ...ReviewFields } }
    }
  }
  ` + rateLimitFields + `
}` + reviewFields + reviewCommentFields

// QueryReviewCommentsMore reads on the comments of a review.
const QueryReviewCommentsMore = `query ReviewCommentsMore($id: ID!, $cursor: String) {
  node(id: $id) {
    ... on PullRequestReview {
      comments(first: 100, after: $cursor) { pageInfo { hasNextPage endCursor } nodes { ...ReviewCommentFields } }
    }
  }
  ` + rateLimitFields + `
}` + reviewCommentFields
