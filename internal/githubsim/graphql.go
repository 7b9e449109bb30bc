package githubsim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/ownershipbot/ownershipbot/internal/githubsim/gqlschema"
)

// GraphQLRoute is the route of GitHub's GraphQL API, served at /graphql
// (and, like GitHub Enterprise Server, at /api/graphql).
const GraphQLRoute = "/graphql"

var graphqlDef = &routeDef{Route: Route{"POST", GraphQLRoute}, auth: authToken}

// GraphQLRequest is one GraphQL query the Sim answered.
type GraphQLRequest struct {
	Operation string
	Query     string
	Variables map[string]any
	// Cost is the query's cost in points, as GitHub calculates it.
	Cost int
	// Invalid holds why the query does not validate against GitHub's
	// schema; Refused why it was not answered otherwise (a node limit,
	// the rate limit); both empty for an answered query.
	Invalid string
	Refused string
	// Remaining is what was left of the installation's GraphQL rate limit
	// after the query, and ResetAt when its window resets: queries with
	// the same ResetAt were charged to the same window.
	Remaining      int
	ResetAt        time.Time
	InstallationID int64
}

// GraphQLRequests returns every GraphQL query so far, oldest first.
func (s *Sim) GraphQLRequests() []GraphQLRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]GraphQLRequest(nil), s.graphql...)
}

// GraphQLPoints is the sum of the GraphQL points spent so far.
func (s *Sim) GraphQLPoints() int {
	n := 0
	for _, r := range s.GraphQLRequests() {
		if r.Invalid == "" && r.Refused == "" {
			n += r.Cost
		}
	}
	return n
}

type gqlError struct {
	Type       string `json:"type,omitempty"`
	Path       []any  `json:"path,omitempty"`
	Message    string `json:"message"`
	Locations  []obj  `json:"locations,omitempty"`
	Extensions obj    `json:"extensions,omitempty"`
}

// serveGraphQL answers a query as GitHub does: validated against the
// schema, refused when a connection lacks first or last or asks for more
// than 100, costed in points and charged to the installation's GraphQL rate
// limit (a spent limit is a 200 with a RATE_LIMITED error), then executed
// against the simulated world. s.mu is held.
func (s *Sim) serveGraphQL(c *reqCtx) {
	rec := GraphQLRequest{InstallationID: c.inst.ID}
	defer func() { s.graphql = append(s.graphql, rec) }()
	var in struct {
		Query         string         `json:"query"`
		Variables     map[string]any `json:"variables"`
		OperationName string         `json:"operationName"`
	}
	if err := json.Unmarshal(c.body, &in); err != nil || in.Query == "" {
		rec.Invalid = "the body is not a GraphQL request"
		s.writeJSON(c, http.StatusBadRequest, obj{"message": "Problems parsing JSON", "documentation_url": "https://docs.github.com/graphql"})
		return
	}
	rec.Query, rec.Variables = in.Query, in.Variables
	schema, err := gqlschema.Schema()
	if err != nil {
		panic(err)
	}
	doc, errs := gqlschema.Validate(schema, in.Query)
	if len(errs) > 0 {
		rec.Invalid = errs.Error()
		var out []gqlError
		for _, e := range errs {
			ge := gqlError{Message: e.Message, Extensions: obj{"code": e.Rule}}
			for _, l := range e.Locations {
				ge.Locations = append(ge.Locations, obj{"line": l.Line, "column": l.Column})
			}
			out = append(out, ge)
		}
		s.writeJSON(c, http.StatusOK, obj{"errors": out})
		return
	}
	op := doc.Operations.ForName(in.OperationName)
	if op == nil {
		op = doc.Operations[0]
	}
	rec.Operation = op.Name
	vars, err := validator.VariableValues(schema, op, in.Variables)
	if err != nil {
		rec.Invalid = err.Error()
		s.writeJSON(c, http.StatusOK, obj{"errors": []gqlError{{Message: err.Error()}}})
		return
	}
	cost, limitErr := queryCost(op.SelectionSet, vars, 1)
	if limitErr != nil {
		rec.Refused = limitErr.Message
		s.writeJSON(c, http.StatusOK, obj{"errors": []gqlError{*limitErr}})
		return
	}
	rec.Cost = cost
	w := s.window(fmt.Sprintf("graphql:%d", c.inst.ID), s.opts.GraphQLRateLimit)
	rec.ResetAt = w.reset
	h := c.w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(w.limit))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(w.reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "graphql")
	if w.limit-w.used < cost {
		rec.Refused, rec.Remaining = "rate limit exceeded", w.limit-w.used
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Used", strconv.Itoa(w.used))
		s.writeJSON(c, http.StatusOK, obj{"errors": []gqlError{{Type: "RATE_LIMITED",
			Message: fmt.Sprintf("API rate limit exceeded for installation ID %d.", c.inst.ID)}}})
		return
	}
	w.used += cost
	rec.Remaining = w.limit - w.used
	h.Set("X-RateLimit-Remaining", strconv.Itoa(w.limit-w.used))
	h.Set("X-RateLimit-Used", strconv.Itoa(w.used))
	e := &gqlExec{s: s, inst: c.inst, vars: vars, schema: schema, cost: cost, window: w}
	data := e.selectionSet(op.SelectionSet, gqlRoot{}, nil)
	out := obj{"data": data}
	if len(e.errors) > 0 {
		out["errors"] = e.errors
	}
	s.writeJSON(c, http.StatusOK, out)
}

// queryCost is GitHub's calculation: one request for each connection a
// query asks for, times the pages of parents it hangs under (assuming every
// first or last is reached), summed, divided by 100 and rounded, at least 1.
// A connection without first or last, or with more than 100, is refused.
func queryCost(set ast.SelectionSet, vars map[string]any, parents int) (int, *gqlError) {
	requests, err := connectionRequests(set, vars, parents)
	if err != nil {
		return 0, err
	}
	return max(1, int(math.Round(float64(requests)/100))), nil
}

func connectionRequests(set ast.SelectionSet, vars map[string]any, parents int) (int, *gqlError) {
	total := 0
	for _, sel := range set {
		var sub ast.SelectionSet
		mult := parents
		switch f := sel.(type) {
		case *ast.Field:
			sub = f.SelectionSet
			if f.Definition != nil && strings.HasSuffix(f.Definition.Type.Name(), "Connection") {
				args := f.ArgumentMap(vars)
				n, ok := pageSize(args)
				if !ok {
					return 0, &gqlError{Type: "MISSING_PAGINATION_BOUNDARIES", Path: []any{f.Alias},
						Message: fmt.Sprintf("You must provide a `first` or `last` value to properly paginate the `%s` connection.", f.Name)}
				}
				if n < 1 || n > 100 {
					return 0, &gqlError{Type: "EXCESSIVE_PAGINATION", Path: []any{f.Alias},
						Message: fmt.Sprintf("Requesting %d records on the `%s` connection exceeds the `first` limit of 100 records.", n, f.Name)}
				}
				total += parents
				mult = parents * n
			}
		case *ast.InlineFragment:
			sub = f.SelectionSet
		case *ast.FragmentSpread:
			sub = f.Definition.SelectionSet
		}
		n, err := connectionRequests(sub, vars, mult)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

func pageSize(args map[string]any) (int, bool) {
	for _, k := range []string{"first", "last"} {
		if v, ok := args[k]; ok && v != nil {
			return toInt(v), true
		}
	}
	return 0, false
}

func toInt(v any) int {
	switch x := v.(type) {
	case int:
		return x
	case int64:
		return int(x)
	case float64:
		return int(x)
	case json.Number:
		n, _ := x.Int64()
		return int(n)
	}
	return 0
}

// ---- execution ----

type gqlExec struct {
	s      *Sim
	inst   *installation
	vars   map[string]any
	schema *ast.Schema
	cost   int
	window *rateWindow
	errors []gqlError
}

// gqlObject is a value of an object type of the schema.
type gqlObject interface {
	typename() string
	resolve(e *gqlExec, field string, args map[string]any) (any, bool)
}

func (e *gqlExec) fail(path []any, typ, format string, a ...any) {
	e.errors = append(e.errors, gqlError{Type: typ, Path: path, Message: fmt.Sprintf(format, a...)})
}

func (e *gqlExec) selectionSet(set ast.SelectionSet, o gqlObject, path []any) obj {
	out := obj{}
	e.collect(set, o, path, out)
	return out
}

func (e *gqlExec) collect(set ast.SelectionSet, o gqlObject, path []any, out obj) {
	for _, sel := range set {
		switch f := sel.(type) {
		case *ast.Field:
			p := append(slices.Clone(path), f.Alias)
			if f.Name == "__typename" {
				out[f.Alias] = o.typename()
				continue
			}
			v, ok := o.resolve(e, f.Name, f.ArgumentMap(e.vars))
			if !ok {
				e.fail(p, "", "githubsim: %s.%s is not simulated", o.typename(), f.Name)
				out[f.Alias] = nil
				continue
			}
			out[f.Alias] = e.complete(v, f, p)
		case *ast.InlineFragment:
			if e.applies(f.TypeCondition, o) {
				e.collect(f.SelectionSet, o, path, out)
			}
		case *ast.FragmentSpread:
			if e.applies(f.Definition.TypeCondition, o) {
				e.collect(f.Definition.SelectionSet, o, path, out)
			}
		}
	}
}

func (e *gqlExec) applies(cond string, o gqlObject) bool {
	if cond == "" || cond == o.typename() {
		return true
	}
	def := e.schema.Types[cond]
	if def == nil {
		return false
	}
	for _, p := range e.schema.GetPossibleTypes(def) {
		if p.Name == o.typename() {
			return true
		}
	}
	return false
}

func (e *gqlExec) complete(v any, f *ast.Field, path []any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case gqlObject:
		if x == nil {
			return nil
		}
		return e.selectionSet(f.SelectionSet, x, path)
	case []gqlObject:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = e.selectionSet(f.SelectionSet, item, append(slices.Clone(path), i))
		}
		return out
	case time.Time:
		if x.IsZero() {
			return nil
		}
		return x.UTC().Format(time.RFC3339)
	}
	return v
}

// ---- the world as GraphQL objects ----

type gqlRoot struct{}

func (gqlRoot) typename() string { return "Query" }

func (gqlRoot) resolve(e *gqlExec, field string, args map[string]any) (any, bool) {
	switch field {
	case "repository":
		owner, _ := args["owner"].(string)
		name, _ := args["name"].(string)
		r := e.s.repos[lower(owner+"/"+name)]
		if r == nil || !e.inst.covers(r) {
			e.fail([]any{"repository"}, "NOT_FOUND", "Could not resolve to a Repository with the name '%s/%s'.", owner, name)
			return nil, true
		}
		return gqlRepo{r}, true
	case "node":
		id, _ := args["id"].(string)
		if n := e.node(id); n != nil {
			return n, true
		}
		e.fail([]any{"node"}, "NOT_FOUND", "Could not resolve to a node with the global id of '%s'", id)
		return nil, true
	case "rateLimit":
		return gqlRateLimit{e}, true
	}
	return nil, false
}

// Global ids: base64 of a kind prefix and the database id.
const (
	idIssue         = "I_"
	idPullRequest   = "PR_"
	idComment       = "IC_"
	idReview        = "PRR_"
	idReviewComment = "PRRC_"
)

func (e *gqlExec) node(id string) gqlObject {
	raw, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil {
		return nil
	}
	s := string(raw)
	for _, kind := range []string{idReviewComment, idReview, idPullRequest, idComment, idIssue} {
		rest, ok := strings.CutPrefix(s, kind)
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(rest, 10, 64)
		if err != nil {
			return nil
		}
		for _, r := range e.s.installationRepos(e.inst) {
			for _, is := range r.issues {
				if is.Deleted || is.MovedTo != "" {
					continue
				}
				switch kind {
				case idIssue:
					if is.PR == nil && is.ID == n {
						return gqlIssue{r, is}
					}
				case idPullRequest:
					if is.PR != nil && is.ID == n {
						return gqlIssue{r, is}
					}
				case idReview:
					if is.PR != nil {
						for _, rv := range is.PR.reviews {
							if rv.ID == n {
								return gqlReview{r, is, rv}
							}
						}
					}
				}
			}
		}
		return nil
	}
	return nil
}

type gqlRateLimit struct{ e *gqlExec }

func (gqlRateLimit) typename() string { return "RateLimit" }

func (r gqlRateLimit) resolve(_ *gqlExec, field string, _ map[string]any) (any, bool) {
	w := r.e.window
	switch field {
	case "cost":
		return r.e.cost, true
	case "limit":
		return w.limit, true
	case "remaining":
		return w.limit - w.used, true
	case "used":
		return w.used, true
	case "resetAt":
		return w.reset, true
	case "nodeCount":
		return 0, true
	}
	return nil, false
}

type gqlRepo struct{ r *repo }

func (gqlRepo) typename() string { return "Repository" }

func (g gqlRepo) resolve(e *gqlExec, field string, args map[string]any) (any, bool) {
	switch field {
	case "issues", "pullRequests":
		pulls := field == "pullRequests"
		states := stringsArg(args["states"])
		var since time.Time
		if fb, ok := args["filterBy"].(map[string]any); ok {
			if v, ok := fb["since"].(string); ok {
				since, _ = time.Parse(time.RFC3339, v)
			}
			if st := stringsArg(fb["states"]); len(st) > 0 {
				states = st
			}
		}
		var items []*issue
		for _, is := range g.r.issues {
			if is.Deleted || is.MovedTo != "" || (is.PR != nil) != pulls {
				continue
			}
			if len(states) > 0 && !slices.Contains(states, graphqlState(is)) {
				continue
			}
			if !since.IsZero() && is.UpdatedAt.Before(since) {
				continue
			}
			items = append(items, is)
		}
		sortIssues(items, args["orderBy"])
		objs := make([]gqlObject, len(items))
		for i, is := range items {
			objs[i] = gqlIssue{g.r, is}
		}
		return page(objs, args), true
	case "issueOrPullRequest":
		is := g.r.issues[toInt(args["number"])]
		if is == nil || is.Deleted || is.MovedTo != "" {
			return nil, true
		}
		return gqlIssue{g.r, is}, true
	}
	return nil, false
}

func stringsArg(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func graphqlState(is *issue) string {
	switch {
	case is.PR != nil && is.PR.Merged:
		return "MERGED"
	case is.State == "closed":
		return "CLOSED"
	}
	return "OPEN"
}

func sortIssues(items []*issue, order any) {
	field, dir := "CREATED_AT", "ASC"
	if o, ok := order.(map[string]any); ok {
		field, _ = o["field"].(string)
		dir, _ = o["direction"].(string)
	}
	key := func(is *issue) int64 {
		switch field {
		case "UPDATED_AT":
			return is.UpdatedAt.UnixNano()
		case "COMMENTS":
			return int64(len(is.comments))
		}
		return is.CreatedAt.UnixNano()
	}
	slices.SortStableFunc(items, func(a, b *issue) int {
		c := 0
		switch ka, kb := key(a), key(b); {
		case ka < kb:
			c = -1
		case ka > kb:
			c = 1
		default:
			c = a.Number - b.Number
		}
		if dir == "DESC" {
			return -c
		}
		return c
	})
}

// gqlConnection is a page of a connection.
type gqlConnection struct {
	nodes       []gqlObject
	total       int
	start       int
	hasNext     bool
	hasPrevious bool
}

func (gqlConnection) typename() string { return "Connection" }

func (c gqlConnection) resolve(_ *gqlExec, field string, _ map[string]any) (any, bool) {
	switch field {
	case "totalCount":
		return c.total, true
	case "nodes":
		return c.nodes, true
	case "pageInfo":
		return gqlPageInfo{c}, true
	}
	return nil, false
}

type gqlPageInfo struct{ c gqlConnection }

func (gqlPageInfo) typename() string { return "PageInfo" }

func (p gqlPageInfo) resolve(_ *gqlExec, field string, _ map[string]any) (any, bool) {
	switch field {
	case "hasNextPage":
		return p.c.hasNext, true
	case "hasPreviousPage":
		return p.c.hasPrevious, true
	case "startCursor":
		if len(p.c.nodes) == 0 {
			return nil, true
		}
		return cursorAt(p.c.start), true
	case "endCursor":
		if len(p.c.nodes) == 0 {
			return nil, true
		}
		return cursorAt(p.c.start + len(p.c.nodes) - 1), true
	}
	return nil, false
}

func cursorAt(i int) string {
	return base64.StdEncoding.EncodeToString([]byte("cursor:v2:" + strconv.Itoa(i)))
}

func cursorIndex(v any) (int, bool) {
	s, ok := v.(string)
	if !ok {
		return 0, false
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(raw), "cursor:v2:"))
	return n, err == nil
}

// page slices items by first/last and after/before, as cursors over the
// connection's order.
func page(items []gqlObject, args map[string]any) gqlConnection {
	lo, hi := 0, len(items)
	if i, ok := cursorIndex(args["after"]); ok {
		lo = min(i+1, hi)
	}
	if i, ok := cursorIndex(args["before"]); ok {
		hi = max(min(i, hi), lo)
	}
	if v, ok := args["first"]; ok && v != nil {
		hi = min(hi, lo+toInt(v))
	} else if v, ok := args["last"]; ok && v != nil {
		lo = max(lo, hi-toInt(v))
	}
	return gqlConnection{nodes: items[lo:hi], total: len(items), start: lo, hasNext: hi < len(items), hasPrevious: lo > 0}
}

type gqlIssue struct {
	r  *repo
	is *issue
}

func (g gqlIssue) typename() string {
	if g.is.PR != nil {
		return "PullRequest"
	}
	return "Issue"
}

func (g gqlIssue) resolve(e *gqlExec, field string, args map[string]any) (any, bool) {
	is := g.is
	switch field {
	case "id":
		if is.PR != nil {
			return nodeID(idPullRequest, is.ID), true
		}
		return nodeID(idIssue, is.ID), true
	case "databaseId":
		return is.ID, true
	case "number":
		return is.Number, true
	case "title":
		return is.Title, true
	case "body":
		return is.Body, true
	case "url":
		kind := "issues"
		if is.PR != nil {
			kind = "pull"
		}
		return fmt.Sprintf("%s/%s/%s/%d", e.s.web(), g.r.FullName(), kind, is.Number), true
	case "state":
		return graphqlState(is), true
	case "isDraft":
		return is.PR != nil && is.PR.Draft, true
	case "merged":
		return is.PR != nil && is.PR.Merged, true
	case "createdAt":
		return is.CreatedAt, true
	case "updatedAt":
		return is.UpdatedAt, true
	case "closedAt":
		return is.ClosedAt, true
	case "author":
		return actorOf(is.User), true
	case "assignees":
		objs := make([]gqlObject, len(is.Assignees))
		for i, u := range is.Assignees {
			objs[i] = gqlActor{u}
		}
		return page(objs, args), true
	case "labels":
		objs := make([]gqlObject, len(is.Labels))
		for i, l := range is.Labels {
			objs[i] = gqlLabel{l}
		}
		return page(objs, args), true
	case "comments":
		var objs []gqlObject
		for _, c := range is.comments {
			if !c.Deleted {
				objs = append(objs, gqlComment{c.ID, idComment, c.Body, c.User, c.Assoc, c.CreatedAt, c.UpdatedAt})
			}
		}
		return page(objs, args), true
	case "reviews":
		if is.PR == nil {
			return nil, false
		}
		objs := make([]gqlObject, len(is.PR.reviews))
		for i, rv := range is.PR.reviews {
			objs[i] = gqlReview{g.r, is, rv}
		}
		return page(objs, args), true
	}
	return nil, false
}

// actorOf is an author as GraphQL shows it: a Bot's login without the
// "[bot]" the REST API adds.
func actorOf(u *user) gqlObject {
	if u == nil {
		return nil
	}
	return gqlActor{u}
}

type gqlActor struct{ u *user }

func (a gqlActor) typename() string { return a.u.Type }

func (a gqlActor) resolve(e *gqlExec, field string, _ map[string]any) (any, bool) {
	switch field {
	case "login":
		return strings.TrimSuffix(a.u.Login, "[bot]"), true
	case "resourcePath":
		return "/" + a.u.Login, true
	case "url":
		return e.s.web() + "/" + a.u.Login, true
	}
	return nil, false
}

type gqlLabel struct{ l *label }

func (gqlLabel) typename() string { return "Label" }

func (g gqlLabel) resolve(_ *gqlExec, field string, _ map[string]any) (any, bool) {
	switch field {
	case "id":
		return nodeID("LA_", g.l.ID), true
	case "name":
		return g.l.Name, true
	}
	return nil, false
}

type gqlComment struct {
	id               int64
	kind             string
	body             string
	user             *user
	assoc            string
	created, updated time.Time
}

func (g gqlComment) typename() string {
	if g.kind == idReviewComment {
		return "PullRequestReviewComment"
	}
	return "IssueComment"
}

func (g gqlComment) resolve(_ *gqlExec, field string, _ map[string]any) (any, bool) {
	switch field {
	case "id":
		return nodeID(g.kind, g.id), true
	case "databaseId":
		return g.id, true
	case "body":
		return g.body, true
	case "createdAt":
		return g.created, true
	case "updatedAt":
		return g.updated, true
	case "authorAssociation":
		return g.assoc, true
	case "author":
		return actorOf(g.user), true
	}
	return nil, false
}

type gqlReview struct {
	r  *repo
	is *issue
	rv *review
}

func (gqlReview) typename() string { return "PullRequestReview" }

func (g gqlReview) resolve(_ *gqlExec, field string, args map[string]any) (any, bool) {
	rv := g.rv
	switch field {
	case "id":
		return nodeID(idReview, rv.ID), true
	case "databaseId":
		return rv.ID, true
	case "body":
		return rv.Body, true
	case "state":
		return rv.State, true
	case "submittedAt", "createdAt":
		return rv.SubmittedAt, true
	case "authorAssociation":
		return rv.Assoc, true
	case "author":
		return actorOf(rv.User), true
	case "comments":
		var objs []gqlObject
		for _, c := range g.is.PR.reviewComments {
			if c.ReviewID == rv.ID && !c.Deleted {
				objs = append(objs, gqlComment{c.ID, idReviewComment, c.Body, c.User, c.Assoc, c.CreatedAt, c.UpdatedAt})
			}
		}
		return page(objs, args), true
	}
	return nil, false
}
