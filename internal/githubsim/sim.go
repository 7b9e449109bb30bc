// Package githubsim is a simulated GitHub for ownershipbot's demo and
// end-to-end tests. It plays both sides of GitHub:
//
//   - the REST API the App calls (a small, documented subset, see Routes),
//     with App JWTs, installation tokens scoped to their repositories,
//     pagination, rate-limit headers and injectable faults;
//   - the webhook sender that tells the App what people did: every action a
//     person takes through the Sim's methods (OpenIssue, AddComment, MergePullRequest,
//     InstallApp, Push, ...) updates the world and sends the signed webhook
//     GitHub would send, synchronously, returning the App's answer.
//
// Comments the App writes through the REST API produce issue_comment webhooks
// too, as on GitHub, sent after the response; Wait blocks until they are out.
//
// Usage:
//
//	sim := githubsim.New(githubsim.Options{})
//	srv := httptest.NewServer(sim)
//	sim.SetAPIURL(srv.URL)
//	sim.SetWebhook(app.URL+"/webhook", "secret")
//	sim.InstallApp("alice", "acme")
//	sim.AddRepository("acme/web", githubsim.RepoOptions{})
//	n, d, err := sim.OpenIssue("alice", "acme/web", githubsim.IssueInput{Title: "Checkout is slow"})
//
// Setting the stage is silent (no webhook): AddUser, AddOrgMember, AddTeam,
// SetTeamMember, AddRepository, AddCollaborator, SetFile. Everything else that
// changes the world is a person acting and sends a webhook: InstallApp,
// OpenIssue, AddComment, EditComment, OpenPullRequest, SubmitReview,
// AddReviewComment, Push, ... A Sim is safe for concurrent use.
package githubsim

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// Options configure a Sim. The zero value is usable.
type Options struct {
	// AppID is the App's numeric id, the JWT issuer (default 1).
	AppID int64
	// AppSlug is the App's slug; its bot user is "<slug>[bot]"
	// (default "ownershipbot").
	AppSlug string
	// PrivateKey is the App's key pair. When nil the Sim uses a 2048-bit key
	// generated once per process; PrivateKeyPEM returns it.
	PrivateKey *rsa.PrivateKey
	// APIURL is the REST base written into payload URLs ("url",
	// "comments_url", ...). Default "https://api.github.com"; SetAPIURL
	// changes it once the server's address is known.
	APIURL string
	// WebURL is the base of html_url fields (default "https://github.com").
	WebURL string
	// Now is the clock of the world: created_at, updated_at, submitted_at and
	// the like (default time.Now). Authentication (JWT checks, token expiry)
	// and rate-limit windows use the wall clock, as the App does.
	Now func() time.Time
	// RateLimit is the primary rate limit per installation per hour
	// (default 5000).
	RateLimit int
	// GraphQLRateLimit is the GraphQL rate limit per installation per
	// hour, in points (default 5000).
	GraphQLRateLimit int
	// RateWindow is how long a rate-limit window lasts (default an hour,
	// as on GitHub; tests shorten it).
	RateWindow time.Duration
	// RetryAfter is what rate-limit faults tell the client to wait, in
	// Retry-After and X-RateLimit-Reset (default 1s; whole seconds).
	RetryAfter time.Duration
	// AcceptAnyManifestCode makes POST /app-manifests/{code}/conversions
	// accept codes not created by NewManifestCode (each code still once).
	AcceptAnyManifestCode bool
	// HTTPClient delivers webhooks (default: a client with GitHub's 10 s
	// timeout).
	HTTPClient *http.Client
}

// Sim is a simulated GitHub. It is an http.Handler serving the REST API at
// "/" (and, like GitHub Enterprise Server, at "/api/v3/").
type Sim struct {
	opts Options
	app  *app           // the App of Options, for which the Sim's methods act
	apps map[int64]*app // every App, by id: app and those AddApp registered

	mu            sync.Mutex
	apiURL        string
	seq           map[string]int64
	users         map[string]*user // by lower-case login
	orgs          map[string]*org  // by lower-case login
	repos         map[string]*repo // by lower-case full name
	installations map[int64]*installation
	tokens        map[string]*token
	rates         map[string]*rateWindow
	faults        []*fault
	outage        bool // every API request answers 502
	latency       map[string]time.Duration
	repoLatency   map[string]time.Duration // by "owner/name", lower case
	requests      []Request
	graphql       []GraphQLRequest
	manifests     map[string]*manifestCode
	comments      map[int64]*comment       // by id
	reviewCmts    map[int64]*reviewComment // by id
	checkRuns     []*checkRun
	conversions   []ManifestConversion
	clientSecret  string
	oauthCallback string
	oauthCodes    map[string]*oauthCode
	userTokens    map[string]*userToken

	deliveries []Delivery

	tokensIssued int

	qmu     sync.Mutex
	qcond   *sync.Cond
	queue   []func()
	pending int
	running bool
}

var (
	processKeyOnce sync.Once
	processKey     *rsa.PrivateKey
)

// New returns an empty simulated GitHub.
func New(opts Options) *Sim {
	if opts.AppID == 0 {
		opts.AppID = 1
	}
	if opts.AppSlug == "" {
		opts.AppSlug = "ownershipbot"
	}
	if opts.APIURL == "" {
		opts.APIURL = "https://api.github.com"
	}
	if opts.WebURL == "" {
		opts.WebURL = "https://github.com"
	}
	opts.APIURL = strings.TrimRight(opts.APIURL, "/")
	opts.WebURL = strings.TrimRight(opts.WebURL, "/")
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RateLimit == 0 {
		opts.RateLimit = 5000
	}
	if opts.RateWindow <= 0 {
		opts.RateWindow = time.Hour
	}
	if opts.GraphQLRateLimit == 0 {
		opts.GraphQLRateLimit = 5000
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = time.Second
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	key := opts.PrivateKey
	if key == nil {
		processKeyOnce.Do(func() {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic("githubsim: generating the App key: " + err.Error())
			}
			processKey = k
		})
		key = processKey
	}
	s := &Sim{
		opts:          opts,
		apps:          map[int64]*app{},
		apiURL:        opts.APIURL,
		seq:           map[string]int64{},
		users:         map[string]*user{},
		orgs:          map[string]*org{},
		repos:         map[string]*repo{},
		installations: map[int64]*installation{},
		tokens:        map[string]*token{},
		rates:         map[string]*rateWindow{},
		latency:       map[string]time.Duration{},
		repoLatency:   map[string]time.Duration{},
		manifests:     map[string]*manifestCode{},
		comments:      map[int64]*comment{},
		reviewCmts:    map[int64]*reviewComment{},
		oauthCodes:    map[string]*oauthCode{},
		userTokens:    map[string]*userToken{},
	}
	s.qcond = sync.NewCond(&s.qmu)
	s.app = s.addAppLocked(opts.AppID, opts.AppSlug, key)
	return s
}

// app is one GitHub App registered on the Sim: its identity, key and webhook.
type app struct {
	ID         int64
	Slug       string
	key        *rsa.PrivateKey
	hookURL    string
	hookSecret string
	hookID     int64
	bot        *user // "<slug>[bot]"
}

func (s *Sim) addAppLocked(id int64, slug string, key *rsa.PrivateKey) *app {
	a := &app{ID: id, Slug: slug, key: key, hookID: 400000000 + id}
	a.bot = s.userLocked(slug+"[bot]", "Bot")
	s.apps[id] = a
	return a
}

// appsLocked lists every App, the Sim's own first, then by id.
func (s *Sim) appsLocked() []*app {
	out := []*app{s.app}
	for _, a := range s.apps {
		if a != s.app {
			out = append(out, a)
		}
	}
	sort.Slice(out[1:], func(i, j int) bool { return out[1+i].ID < out[1+j].ID })
	return out
}

// appOfBot is the App whose bot user u is, if any.
func (s *Sim) appOfBot(u *user) *app {
	for _, a := range s.apps {
		if a.bot == u {
			return a
		}
	}
	return nil
}

// AppID is the App's id, the issuer its JWTs must carry.
func (s *Sim) AppID() int64 { return s.opts.AppID }

// BotLogin is the login of the App's bot user, "<slug>[bot]".
func (s *Sim) BotLogin() string { return s.opts.AppSlug + "[bot]" }

// PrivateKey is the App's private key.
func (s *Sim) PrivateKey() *rsa.PrivateKey { return s.app.key }

// PrivateKeyPEM is the App's private key in PKCS#1 PEM, as GitHub hands it out.
func (s *Sim) PrivateKeyPEM() []byte { return keyPEM(s.app.key) }

func keyPEM(key *rsa.PrivateKey) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
}

// App is another GitHub App on the same simulated GitHub, such as a staging
// App installed on the same organization as production's. It has its own
// id, key, bot user, installations and webhook; the Sim's own methods act
// for the App of Options, and App's for this one. Its comments, like any
// App's, may carry ownershipbot's marker.
type App struct {
	sim *Sim
	app *app
}

// AddApp registers another App, with a fresh key pair.
func (s *Sim) AddApp(slug string) (*App, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.apps {
		if strings.EqualFold(a.Slug, slug) {
			return nil, fmt.Errorf("githubsim: an App %q exists", slug)
		}
	}
	return &App{sim: s, app: s.addAppLocked(s.nextID("app"), slug, key)}, nil
}

// ID is the App's id, the issuer its JWTs must carry.
func (a *App) ID() int64 { return a.app.ID }

// BotLogin is the login of the App's bot user, "<slug>[bot]".
func (a *App) BotLogin() string { return a.app.bot.Login }

// PrivateKeyPEM is the App's private key in PKCS#1 PEM.
func (a *App) PrivateKeyPEM() []byte { return keyPEM(a.app.key) }

// SetWebhook sets the App's webhook URL and secret.
func (a *App) SetWebhook(url, secret string) {
	a.sim.mu.Lock()
	defer a.sim.mu.Unlock()
	a.app.hookURL, a.app.hookSecret = url, secret
}

// Install installs the App on account, as Sim.InstallApp does for the
// Sim's own App.
func (a *App) Install(actor, account string, repos ...string) (int64, Delivery, error) {
	return a.sim.installApp(a.app, actor, account, repos...)
}

// Installation returns the id of the App's installation on account, or 0.
func (a *App) Installation(account string) int64 { return a.sim.installationOf(a.app, account) }

// SetWebURL sets the base of html_url fields, typically the Sim's own
// address, so that links work: the Sim then serves minimal pages of issues
// and pull requests there (see serveWebPage).
func (s *Sim) SetWebURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.WebURL = strings.TrimRight(u, "/")
}

// SetAPIURL sets the REST base written into payload URLs, typically the
// address the Sim is served at (httptest.Server.URL).
func (s *Sim) SetAPIURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apiURL = strings.TrimRight(u, "/")
}

// TokensIssued counts installation access tokens created so far.
func (s *Sim) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokensIssued
}

// ---- world model ----

type user struct {
	Login string
	ID    int64
	Type  string // User, Bot, Organization
}

type org struct {
	user  *user
	teams map[string]*team // by slug
	// members maps a lower-case login to "member" or "admin".
	members map[string]string
}

type team struct {
	ID      int64
	Slug    string
	Name    string
	members map[string]string // lower-case login -> "member" | "maintainer"
}

type installation struct {
	ID        int64
	app       *app
	Account   *user
	Selection string // "all" or "selected"
	repos     map[string]bool
	CreatedAt time.Time
	Suspended bool
	// permissions are what the org granted the App; nil: all it asks for.
	// An org that has not accepted an App's new permission keeps the old set.
	permissions map[string]string
}

// granted is the installation's permissions.
func (in *installation) granted() map[string]string {
	if in.permissions != nil {
		return in.permissions
	}
	return appPermissionsMap()
}

type repo struct {
	ID            int64
	Owner         *user
	Name          string
	Private       bool
	DefaultBranch string
	Description   string
	CreatedAt     time.Time
	PushedAt      time.Time
	UpdatedAt     time.Time
	HeadSHA       string
	files         map[string]string
	// commits are the files as each pushed commit left them, by SHA;
	// branches are the heads of branches other than the default.
	commits       map[string]map[string]string
	branches      map[string]string
	issues        map[int]*issue
	nextNumber    int
	collaborators map[string]bool
	// contributors are the lower-case logins of merged pull requests' authors.
	contributors map[string]bool
}

func (r *repo) FullName() string { return r.Owner.Login + "/" + r.Name }

type issue struct {
	ID          int64
	Number      int
	Title       string
	Body        string
	User        *user
	Assignees   []*user
	Labels      []*label
	State       string // open, closed
	StateReason string
	Locked      bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ClosedAt    time.Time
	ClosedBy    *user
	comments    []*comment
	PR          *pull
	Deleted     bool
	// MovedTo is set when the issue was transferred: "owner/repo#n".
	MovedTo string
}

type label struct {
	ID    int64
	Name  string
	Color string
}

type comment struct {
	ID        int64
	Body      string
	User      *user
	Assoc     string
	CreatedAt time.Time
	UpdatedAt time.Time
	Deleted   bool
	repo      *repo
	issue     *issue
}

type pull struct {
	HeadRef, BaseRef   string
	HeadSHA, BaseSHA   string
	Draft              bool
	Merged             bool
	MergedAt           time.Time
	MergedBy           *user
	MergeSHA           string
	RequestedReviewers []*user
	reviews            []*review
	reviewComments     []*reviewComment
}

type review struct {
	ID          int64
	User        *user
	Body        string
	State       string // APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED
	Assoc       string
	SubmittedAt time.Time
	CommitID    string
}

type reviewComment struct {
	ID        int64
	ReviewID  int64
	InReplyTo int64
	Path      string
	Line      int
	Body      string
	User      *user
	Assoc     string
	CommitID  string
	CreatedAt time.Time
	UpdatedAt time.Time
	Deleted   bool
	repo      *repo
	issue     *issue
}

func (s *Sim) now() time.Time { return s.opts.Now().UTC().Truncate(time.Second) }

var seqBase = map[string]int64{
	"user": 10000, "repo": 500000, "issue": 2000000000, "comment": 1500000000,
	"installation": 50000, "team": 3000, "label": 600000000, "review": 1800000000,
	"review_comment": 1900000000, "app": 900000, "check_run": 2500000000,
}

func (s *Sim) nextID(kind string) int64 {
	s.seq[kind]++
	return seqBase[kind] + s.seq[kind]
}

// userLocked returns the user with that login, creating it when unknown. A
// login ending in "[bot]" is a Bot.
func (s *Sim) userLocked(login, typ string) *user {
	k := strings.ToLower(login)
	if u, ok := s.users[k]; ok {
		if typ != "" && u.Type != typ {
			u.Type = typ
		}
		return u
	}
	if typ == "" {
		typ = "User"
		if strings.HasSuffix(login, "[bot]") {
			typ = "Bot"
		}
	}
	u := &user{Login: login, ID: s.nextID("user"), Type: typ}
	s.users[k] = u
	return u
}

func (s *Sim) orgLocked(login string) *org {
	k := strings.ToLower(login)
	if o, ok := s.orgs[k]; ok {
		return o
	}
	o := &org{user: s.userLocked(login, "Organization"), teams: map[string]*team{}, members: map[string]string{}}
	s.orgs[k] = o
	return o
}

// AddUser declares a person ("User") or a bot ("Bot"; the default for logins
// ending in "[bot]"). Users are also created on first mention, so this is
// only needed to choose the type.
func (s *Sim) AddUser(login, typ string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.userLocked(login, typ)
}

// AddOrgMember makes login a member of org (role "member" or "admin"); org
// members' comments carry author_association MEMBER.
func (s *Sim) AddOrgMember(orgLogin, login, role string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if role == "" {
		role = "member"
	}
	o := s.orgLocked(orgLogin)
	s.userLocked(login, "")
	o.members[strings.ToLower(login)] = role
}

// AddTeam creates (or extends) a team of org with members (role "member")
// and makes them org members.
func (s *Sim) AddTeam(orgLogin, slug string, members ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgLocked(orgLogin)
	t := o.teams[strings.ToLower(slug)]
	if t == nil {
		t = &team{ID: s.nextID("team"), Slug: strings.ToLower(slug), Name: slug, members: map[string]string{}}
		o.teams[t.Slug] = t
	}
	for _, m := range members {
		s.userLocked(m, "")
		t.members[strings.ToLower(m)] = "member"
		if _, ok := o.members[strings.ToLower(m)]; !ok {
			o.members[strings.ToLower(m)] = "member"
		}
	}
}

// SetTeamMember adds login to a team with role "member" or "maintainer", or
// removes them when role is "".
func (s *Sim) SetTeamMember(orgLogin, slug, login, role string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgLocked(orgLogin)
	t := o.teams[strings.ToLower(slug)]
	if t == nil {
		t = &team{ID: s.nextID("team"), Slug: strings.ToLower(slug), Name: slug, members: map[string]string{}}
		o.teams[t.Slug] = t
	}
	if role == "" {
		delete(t.members, strings.ToLower(login))
		return
	}
	s.userLocked(login, "")
	t.members[strings.ToLower(login)] = role
}

// RepoOptions describe a repository for AddRepository.
type RepoOptions struct {
	Private       bool
	DefaultBranch string // default "main"
	Description   string
	// Files seeds the default branch: path -> content.
	Files map[string]string
}

// AddRepository creates the repository owner/name (its owner becomes an
// organization when unknown) without any webhook. When the owner has an
// installation with repository_selection "all", the App can reach it at
// once.
func (s *Sim) AddRepository(fullName string, ro RepoOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	owner, name, ok := strings.Cut(fullName, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return fmt.Errorf("githubsim: repository %q is not owner/name", fullName)
	}
	if _, exists := s.repos[strings.ToLower(fullName)]; exists {
		return fmt.Errorf("githubsim: repository %s exists", fullName)
	}
	var ou *user
	if u, ok := s.users[strings.ToLower(owner)]; ok && u.Type != "Organization" {
		ou = u
	} else {
		ou = s.orgLocked(owner).user
	}
	if ro.DefaultBranch == "" {
		ro.DefaultBranch = "main"
	}
	now := s.now()
	r := &repo{
		ID: s.nextID("repo"), Owner: ou, Name: name, Private: ro.Private,
		DefaultBranch: ro.DefaultBranch, Description: ro.Description,
		CreatedAt: now, PushedAt: now, UpdatedAt: now,
		files: map[string]string{}, issues: map[int]*issue{}, collaborators: map[string]bool{}, contributors: map[string]bool{},
		commits: map[string]map[string]string{}, branches: map[string]string{},
	}
	r.HeadSHA = fakeSHA(fmt.Sprint("head", r.ID, 0))
	for p, c := range ro.Files {
		r.files[strings.Trim(p, "/")] = c
	}
	s.repos[strings.ToLower(fullName)] = r
	return nil
}

// AddCollaborator makes login a collaborator of repo (author_association
// COLLABORATOR unless they are org members).
func (s *Sim) AddCollaborator(fullName, login string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoLocked(fullName)
	if err != nil {
		return err
	}
	s.userLocked(login, "")
	r.collaborators[strings.ToLower(login)] = true
	return nil
}

// SetFile writes a file on the default branch without a push event (use
// Push to act like a person pushing).
func (s *Sim) SetFile(fullName, path, content string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoLocked(fullName)
	if err != nil {
		return err
	}
	r.files[strings.Trim(path, "/")] = content
	return nil
}

// File returns a file's content on the default branch.
func (s *Sim) File(fullName, path string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoLocked(fullName)
	if err != nil {
		return "", false
	}
	c, ok := r.files[strings.Trim(path, "/")]
	return c, ok
}

func (s *Sim) repoLocked(fullName string) (*repo, error) {
	r, ok := s.repos[strings.ToLower(fullName)]
	if !ok {
		return nil, fmt.Errorf("githubsim: no repository %s", fullName)
	}
	return r, nil
}

func (s *Sim) issueLocked(fullName string, number int) (*repo, *issue, error) {
	r, err := s.repoLocked(fullName)
	if err != nil {
		return nil, nil, err
	}
	is, ok := r.issues[number]
	if !ok || is.Deleted || is.MovedTo != "" {
		return nil, nil, fmt.Errorf("githubsim: no issue %s#%d", fullName, number)
	}
	return r, is, nil
}

// association is the author_association of login on r, as GitHub computes it.
func (s *Sim) association(r *repo, u *user) string {
	k := strings.ToLower(u.Login)
	if strings.EqualFold(r.Owner.Login, u.Login) {
		return "OWNER"
	}
	if o, ok := s.orgs[strings.ToLower(r.Owner.Login)]; ok {
		if _, member := o.members[k]; member {
			return "MEMBER"
		}
	}
	if r.collaborators[k] {
		return "COLLABORATOR"
	}
	if u.Type == "Bot" {
		return "NONE"
	}
	if r.contributors[k] {
		return "CONTRIBUTOR"
	}
	return "NONE"
}

// installationForRepo is the live installation of a that reaches r, if any.
func (s *Sim) installationForRepo(a *app, r *repo) *installation {
	for _, in := range s.installations {
		if in.app == a && in.covers(r) {
			return in
		}
	}
	return nil
}

func (in *installation) covers(r *repo) bool {
	if in.Suspended || !strings.EqualFold(in.Account.Login, r.Owner.Login) {
		return false
	}
	return in.Selection == "all" || in.repos[strings.ToLower(r.FullName())]
}

func (s *Sim) installationRepos(in *installation) []*repo {
	var out []*repo
	for _, r := range s.repos {
		if in.covers(r) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Installation returns the id of the App's installation on account, or 0.
func (s *Sim) Installation(account string) int64 { return s.installationOf(s.app, account) }

func (s *Sim) installationOf(a *app, account string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, in := range s.installations {
		if in.app == a && strings.EqualFold(in.Account.Login, account) {
			return in.ID
		}
	}
	return 0
}

// ---- reading state back (for assertions) ----

// Comment is an issue or pull request conversation comment as it stands.
type Comment struct {
	ID                int64
	Body              string
	User              string
	UserType          string
	AuthorAssociation string
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Comments returns the live (not deleted) comments of issue or pull request
// number in repo, oldest first.
func (s *Sim) Comments(fullName string, number int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoLocked(fullName)
	if err != nil {
		return nil
	}
	is := r.issues[number]
	if is == nil {
		return nil
	}
	var out []Comment
	for _, c := range is.comments {
		if c.Deleted {
			continue
		}
		out = append(out, Comment{ID: c.ID, Body: c.Body, User: c.User.Login, UserType: c.User.Type,
			AuthorAssociation: c.Assoc, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt})
	}
	return out
}

// BotComments returns the live comments written by the App's bot user.
func (s *Sim) BotComments(fullName string, number int) []Comment {
	var out []Comment
	for _, c := range s.Comments(fullName, number) {
		if strings.EqualFold(c.User, s.BotLogin()) {
			out = append(out, c)
		}
	}
	return out
}

// IssueState is an issue's (or pull request's) state for assertions.
type IssueState struct {
	Number    int
	Title     string
	Body      string
	User      string
	State     string
	Assignees []string
	Labels    []string
	IsPull    bool
	Draft     bool
	Merged    bool
	CreatedAt time.Time
}

// Issue returns issue or pull request number of repo.
func (s *Sim) Issue(fullName string, number int) (IssueState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, is, err := s.issueLocked(fullName, number)
	if err != nil {
		return IssueState{}, false
	}
	st := IssueState{Number: is.Number, Title: is.Title, Body: is.Body, User: is.User.Login, State: is.State, IsPull: is.PR != nil, CreatedAt: is.CreatedAt}
	for _, a := range is.Assignees {
		st.Assignees = append(st.Assignees, a.Login)
	}
	for _, l := range is.Labels {
		st.Labels = append(st.Labels, l.Name)
	}
	if is.PR != nil {
		st.Draft, st.Merged = is.PR.Draft, is.PR.Merged
	}
	return st, true
}

func fakeSHA(seed string) string {
	// A stable 40-hex-digit id derived from seed (not a real git object id).
	h := fnv64(seed)
	return fmt.Sprintf("%016x%016x%08x", h, fnv64(seed+"#"), uint32(h>>7))
}

func fnv64(s string) uint64 {
	var h uint64 = 14695981039346656037
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func nodeID(kind string, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%s%d", kind, id)))
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return fmt.Sprintf("%x", b)
}

func newUUID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
