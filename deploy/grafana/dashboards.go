// Package grafana holds ownershipbot's Grafana dashboards as code. The JSON
// files in dashboards/ are generated from here (go generate ./deploy/grafana)
// and a test fails when they drift apart.
//
// Every dashboard has a `datasource` variable (any Prometheus) and a
// `repository` variable (multi-value, "All" matches every repository).
// Queries read the store gauges through the replica-deduplicated recording
// rules of deploy/prometheus/rules/recording.yml, so several replicas on one
// store are never double-counted. No panel shows a person.
package grafana

//go:generate go run ./gen

import (
	"bytes"
	"encoding/json"
)

// Dashboard is the subset of Grafana's dashboard JSON model ownershipbot uses.
type Dashboard struct {
	UID           string     `json:"uid"`
	Title         string     `json:"title"`
	Description   string     `json:"description"`
	Tags          []string   `json:"tags"`
	Timezone      string     `json:"timezone"`
	Editable      bool       `json:"editable"`
	GraphTooltip  int        `json:"graphTooltip"`
	Refresh       string     `json:"refresh"`
	SchemaVersion int        `json:"schemaVersion"`
	Version       int        `json:"version"`
	Time          TimeRange  `json:"time"`
	Templating    Templating `json:"templating"`
	Annotations   struct {
		List []any `json:"list"`
	} `json:"annotations"`
	Links  []any   `json:"links"`
	Panels []Panel `json:"panels"`
}

// TimeRange is the dashboard's default time range.
type TimeRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Templating holds the dashboard variables.
type Templating struct {
	List []Variable `json:"list"`
}

// Variable is a dashboard variable.
type Variable struct {
	Name        string         `json:"name"`
	Label       string         `json:"label"`
	Type        string         `json:"type"`
	Query       any            `json:"query"`
	Definition  string         `json:"definition,omitempty"`
	Datasource  *DatasourceRef `json:"datasource,omitempty"`
	Current     map[string]any `json:"current"`
	Hide        int            `json:"hide"`
	IncludeAll  bool           `json:"includeAll"`
	Multi       bool           `json:"multi"`
	AllValue    string         `json:"allValue,omitempty"`
	Refresh     int            `json:"refresh"`
	Regex       string         `json:"regex"`
	Sort        int            `json:"sort"`
	Options     []any          `json:"options"`
	Description string         `json:"description,omitempty"`
}

// DatasourceRef points a panel or target at the `datasource` variable.
type DatasourceRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// Panel is one dashboard panel.
type Panel struct {
	ID          int            `json:"id"`
	Type        string         `json:"type"`
	Title       string         `json:"title"`
	Description string         `json:"description,omitempty"`
	GridPos     GridPos        `json:"gridPos"`
	Datasource  *DatasourceRef `json:"datasource,omitempty"`
	Targets     []Target       `json:"targets,omitempty"`
	FieldConfig FieldConfig    `json:"fieldConfig"`
	Options     map[string]any `json:"options"`
}

// GridPos places a panel on Grafana's 24-column grid.
type GridPos struct {
	H int `json:"h"`
	W int `json:"w"`
	X int `json:"x"`
	Y int `json:"y"`
}

// Target is one PromQL query of a panel.
type Target struct {
	RefID        string         `json:"refId"`
	Datasource   *DatasourceRef `json:"datasource"`
	Expr         string         `json:"expr"`
	LegendFormat string         `json:"legendFormat"`
	Instant      bool           `json:"instant"`
	Range        bool           `json:"range"`
	Format       string         `json:"format,omitempty"`
}

// FieldConfig carries units, limits and colours.
type FieldConfig struct {
	Defaults  FieldDefaults `json:"defaults"`
	Overrides []any         `json:"overrides"`
}

// FieldDefaults are the panel-wide field settings.
type FieldDefaults struct {
	Unit       string         `json:"unit,omitempty"`
	Min        *float64       `json:"min,omitempty"`
	Max        *float64       `json:"max,omitempty"`
	Decimals   *int           `json:"decimals,omitempty"`
	Color      map[string]any `json:"color,omitempty"`
	Thresholds *Thresholds    `json:"thresholds,omitempty"`
	Custom     map[string]any `json:"custom,omitempty"`
}

// Thresholds colour values.
type Thresholds struct {
	Mode  string `json:"mode"`
	Steps []Step `json:"steps"`
}

// Step is one threshold step; a nil Value is the base step.
type Step struct {
	Color string   `json:"color"`
	Value *float64 `json:"value"`
}

var ds = &DatasourceRef{Type: "prometheus", UID: "${datasource}"}

// File is one generated dashboard file.
type File struct {
	Name      string // file name under dashboards/
	Dashboard Dashboard
}

// Files returns the dashboards in the order the README shows them.
func Files() []File {
	return []File{
		{"ownership-overview.json", ownershipOverview()},
		{"product-participation.json", productParticipation()},
		{"operations.json", operations()},
	}
}

// Marshal renders a dashboard as the committed JSON: indented, with a
// trailing newline, HTML characters unescaped so PromQL stays readable.
func Marshal(d Dashboard) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func newDashboard(uid, title, description string) Dashboard {
	d := Dashboard{
		UID: uid, Title: title, Description: description,
		Tags: []string{"ownershipbot"}, Timezone: "browser", Editable: true,
		GraphTooltip: 1, Refresh: "1m", SchemaVersion: 39, Version: 1,
		Time:  TimeRange{From: "now-7d", To: "now"},
		Links: []any{},
	}
	d.Annotations.List = []any{}
	d.Templating.List = []Variable{
		{
			Name: "datasource", Label: "Data source", Type: "datasource", Query: "prometheus",
			Current: map[string]any{}, Options: []any{},
			Description: "The Prometheus that scrapes ownershipbot and loads its recording rules.",
		},
		{
			Name: "repository", Label: "Repository", Type: "query", Datasource: ds,
			Query: map[string]any{
				"query": "label_values(ownershipbot_issues, repository)",
				"refId": "PrometheusVariableQueryEditor-VariableQuery",
			},
			Definition: "label_values(ownershipbot_issues, repository)",
			Current:    map[string]any{"selected": true, "text": []string{"All"}, "value": []string{"$__all"}},
			IncludeAll: true, Multi: true, AllValue: ".*", Refresh: 2, Sort: 1, Options: []any{},
			Description: "Repositories the App is installed on (owner/name).",
		},
	}
	return d
}

// layout appends panels row by row: each panel takes its width, wrapping
// to a new row when the 24 columns are used up.
type layout struct {
	d    *Dashboard
	x, y int
	rowH int
}

func (l *layout) add(w, h int, p Panel) {
	if l.x+w > 24 {
		l.x, l.y, l.rowH = 0, l.y+l.rowH, 0
	}
	p.ID = len(l.d.Panels) + 1
	p.GridPos = GridPos{H: h, W: w, X: l.x, Y: l.y}
	p.Datasource = ds
	for i := range p.Targets {
		p.Targets[i].RefID = string(rune('A' + i))
		p.Targets[i].Datasource = ds
	}
	if p.Options == nil {
		p.Options = map[string]any{}
	}
	if p.FieldConfig.Overrides == nil {
		p.FieldConfig.Overrides = []any{}
	}
	l.d.Panels = append(l.d.Panels, p)
	l.x += w
	if h > l.rowH {
		l.rowH = h
	}
}

func f(v float64) *float64 { return &v }

func instant(expr, legend string) Target {
	return Target{Expr: expr, LegendFormat: legend, Instant: true}
}

func series(expr, legend string) Target {
	return Target{Expr: expr, LegendFormat: legend, Range: true}
}

var percent = FieldDefaults{Unit: "percentunit", Min: f(0), Max: f(1)}

func stat(title, description string, unit FieldDefaults, t Target) Panel {
	return Panel{
		Type: "stat", Title: title, Description: description, Targets: []Target{t},
		FieldConfig: FieldConfig{Defaults: unit},
		Options: map[string]any{
			"reduceOptions": map[string]any{"calcs": []string{"lastNotNull"}, "fields": "", "values": false},
			"colorMode":     "value", "graphMode": "area", "textMode": "auto", "justifyMode": "auto",
			"orientation": "auto",
		},
	}
}

func timeseries(title, description string, unit FieldDefaults, stacked bool, ts ...Target) Panel {
	custom := map[string]any{"drawStyle": "line", "lineWidth": 2, "fillOpacity": 10, "showPoints": "never", "spanNulls": true}
	if stacked {
		custom["stacking"] = map[string]any{"mode": "normal", "group": "A"}
		custom["fillOpacity"] = 40
	}
	unit.Custom = custom
	return Panel{
		Type: "timeseries", Title: title, Description: description, Targets: ts,
		FieldConfig: FieldConfig{Defaults: unit},
		Options: map[string]any{
			"legend":  map[string]any{"displayMode": "list", "placement": "bottom", "showLegend": true},
			"tooltip": map[string]any{"mode": "multi", "sort": "desc"},
		},
	}
}

func bargauge(title, description string, unit FieldDefaults, t Target) Panel {
	return Panel{
		Type: "bargauge", Title: title, Description: description, Targets: []Target{t},
		FieldConfig: FieldConfig{Defaults: unit},
		Options: map[string]any{
			"reduceOptions": map[string]any{"calcs": []string{"lastNotNull"}, "fields": "", "values": false},
			"orientation":   "horizontal", "displayMode": "gradient", "showUnfilled": true,
		},
	}
}

func piechart(title, description string, t Target) Panel {
	return Panel{
		Type: "piechart", Title: title, Description: description, Targets: []Target{t},
		FieldConfig: FieldConfig{Defaults: FieldDefaults{Unit: "short"}},
		Options: map[string]any{
			"reduceOptions": map[string]any{"calcs": []string{"lastNotNull"}, "fields": "", "values": false},
			"pieType":       "donut",
			"legend":        map[string]any{"displayMode": "table", "placement": "right", "showLegend": true, "values": []string{"value", "percent"}},
		},
	}
}

// repo is the label matcher every repository-scoped query carries.
const repo = `repository=~"$repository"`

// shareOfIssues divides a count recording rule by the open issues, over the
// selected repositories.
func shareOfIssues(count string) string {
	return `sum(repository:ownershipbot_issues_with_` + count + `:count{` + repo + `})` +
		` / sum(repository:ownershipbot_issues_open:count{` + repo + `})`
}

func ownershipOverview() Dashboard {
	d := newDashboard("ownershipbot-ownership", "Ownership overview",
		"Open issues: how many have an owner and a rationale, per repository and over time, and how long issues wait for an owner.")
	l := layout{d: &d}
	l.add(6, 5, stat("Open issues with an owner",
		"Share of open issues with an owner: an assignee, an Owner:/DRI: line, or an owner label.",
		percent, instant(shareOfIssues("owner"), "")))
	l.add(6, 5, stat("Open issues with a rationale",
		"Share of open issues that say what problem they address and why it matters.",
		percent, instant(shareOfIssues("rationale"), "")))
	l.add(6, 5, stat("Open issues with both",
		"Share of open issues with an owner and a rationale: ready to be worked on.",
		percent, instant(shareOfIssues("both"), "")))
	l.add(6, 5, stat("Open issues",
		"Open issues in the selected repositories, as the store holds them now.",
		FieldDefaults{Unit: "short"}, instant(`sum(repository:ownershipbot_issues_open:count{`+repo+`})`, "")))

	l.add(24, 8, timeseries("Trend: share of open issues",
		"Over time, the share of open issues with an owner, with a rationale, and with both.",
		percent, false,
		series(shareOfIssues("owner"), "with an owner"),
		series(shareOfIssues("rationale"), "with a rationale"),
		series(shareOfIssues("both"), "with both")))

	l.add(8, 9, bargauge("With an owner, by repository", "Share of each repository's open issues that have an owner.",
		percent, instant(`repository:ownershipbot_issues_with_owner:ratio{`+repo+`}`, "{{repository}}")))
	l.add(8, 9, bargauge("With a rationale, by repository", "Share of each repository's open issues that have a rationale.",
		percent, instant(`repository:ownershipbot_issues_with_rationale:ratio{`+repo+`}`, "{{repository}}")))
	l.add(8, 9, bargauge("With both, by repository", "Share of each repository's open issues with an owner and a rationale.",
		percent, instant(`repository:ownershipbot_issues_with_both:ratio{`+repo+`}`, "{{repository}}")))

	l.add(12, 8, timeseries("Open issues without an owner, by repository",
		"How many open issues still wait for an owner.",
		FieldDefaults{Unit: "short", Min: f(0)}, false,
		series(`repository:ownershipbot_issues_open:count{`+repo+`} - repository:ownershipbot_issues_with_owner:count{`+repo+`}`, "{{repository}}")))
	l.add(12, 8, timeseries("Time to owner",
		"Time from an issue's creation to its first owner, for issues that got one in the trailing 7 days: median and 90th percentile.",
		FieldDefaults{Unit: "s", Min: f(0)}, false,
		series(`histogram_quantile(0.5, sum by (le) (increase(ownershipbot_issue_time_to_owner_seconds_bucket{`+repo+`}[7d])))`, "median"),
		series(`histogram_quantile(0.9, sum by (le) (increase(ownershipbot_issue_time_to_owner_seconds_bucket{`+repo+`}[7d])))`, "90th percentile")))
	l.add(12, 8, bargauge("Median time to owner, by repository",
		"Median time from creation to first owner over the dashboard's time range.",
		FieldDefaults{Unit: "s", Min: f(0)},
		instant(`histogram_quantile(0.5, sum by (repository, le) (increase(ownershipbot_issue_time_to_owner_seconds_bucket{`+repo+`}[$__range])))`, "{{repository}}")))
	l.add(12, 8, timeseries("Issues that got an owner",
		"Issues that got their first owner, per day.",
		FieldDefaults{Unit: "short", Min: f(0)}, true,
		series(`sum by (repository) (increase(ownershipbot_issue_time_to_owner_seconds_count{`+repo+`}[1d]))`, "{{repository}}")))
	return d
}

// comments is the replica-deduplicated comment gauge, scoped to the
// selected repositories plus extra matchers.
func comments(extra string) string {
	m := repo
	if extra != "" {
		m += ", " + extra
	}
	return `repository_thread_role_level:ownershipbot_comments:max{` + m + `}`
}

// engineersShare is engineers' share of people's product-level comments
// (figures.NameEngineersShareOfProduct): bots never count as participation.
func engineersShare(thread string) string {
	t := `thread="` + thread + `", level="product"`
	return `sum(` + comments(t+`, author_role="engineer"`) + `) / sum(` + comments(t+`, author_role!="bot"`) + `)`
}

func productParticipation() Dashboard {
	d := newDashboard("ownershipbot-participation", "Product-level participation",
		"Who reasons about users, operators and outcomes in issues and pull requests: engineers' share of product-level comments, the concerns raised, and pull requests tied to owned issues. Aggregates by role only; no person is ever shown.")
	l := layout{d: &d}
	l.add(6, 5, stat("Engineers' share of product-level comments: issues",
		"Of the product-level comments on issues by people (created in the metrics window), the share engineers wrote. Not the share of engineers' comments that are product-level.",
		percent, instant(engineersShare("issue"), "")))
	l.add(6, 5, stat("Engineers' share of product-level comments: PRs",
		"Of the product-level comments on pull requests by people, the share engineers wrote.",
		percent, instant(engineersShare("pull_request"), "")))
	l.add(6, 5, stat("Pull requests linked to an owned issue",
		"Share of open pull requests that refer to an issue with an owner (Fixes #12 or part of #12).",
		percent, instant(`sum(repository:ownershipbot_pull_requests_linked_owned:count{`+repo+`}) / sum(repository:ownershipbot_pull_requests_open:count{`+repo+`})`, "")))
	l.add(6, 5, stat("Product-level comments",
		"Product-level comments in the metrics window, all roles.",
		FieldDefaults{Unit: "short"}, instant(`sum(`+comments(`level="product"`)+`)`, "")))

	l.add(12, 8, timeseries("Engineers' share of product-level comments: issues",
		"Over time, the share of product-level issue comments written by engineers.",
		percent, false, series(engineersShare("issue"), "issues")))
	l.add(12, 8, timeseries("Engineers' share of product-level comments: pull requests",
		"Over time, the share of product-level pull request comments written by engineers.",
		percent, false, series(engineersShare("pull_request"), "pull requests")))

	l.add(8, 9, piechart("Concern mix",
		"Concerns found in product-level comments (a comment can raise several).",
		instant(`sum by (concern) (repository_thread_role_concern:ownershipbot_comment_concerns:max{`+repo+`})`, "{{concern}}")))
	l.add(16, 9, timeseries("Concerns over time",
		"Concerns raised in the metrics window, by concern.",
		FieldDefaults{Unit: "short", Min: f(0)}, true,
		series(`sum by (concern) (repository_thread_role_concern:ownershipbot_comment_concerns:max{`+repo+`})`, "{{concern}}")))

	l.add(8, 8, bargauge("Share of engineers' and of product people's comments that are product-level",
		"For each role, the share of its comments that are product-level (not its share of the product-level comments).",
		percent, instant(`sum by (author_role) (`+comments(`level="product", author_role=~"engineer|product"`)+`) / sum by (author_role) (`+comments(`author_role=~"engineer|product"`)+`)`, "{{author_role}}")))
	l.add(16, 8, timeseries("Product-level comments by role",
		"Product-level comments in the metrics window, by the author's role.",
		FieldDefaults{Unit: "short", Min: f(0)}, true,
		series(`sum by (author_role) (`+comments(`level="product"`)+`)`, "{{author_role}}")))

	l.add(8, 8, bargauge("Concerns raised by engineers and product people",
		"Which concerns engineers and product people raise in product-level comments.",
		FieldDefaults{Unit: "short", Min: f(0)},
		instant(`sum by (author_role, concern) (repository_thread_role_concern:ownershipbot_comment_concerns:max{`+repo+`, author_role=~"engineer|product"})`, "{{author_role}}: {{concern}}")))
	l.add(8, 8, bargauge("Pull requests linked to an owned issue, by repository",
		"Share of each repository's open pull requests that refer to an issue with an owner.",
		percent, instant(`repository:ownershipbot_pull_requests_linked_owned:ratio{`+repo+`}`, "{{repository}}")))
	l.add(8, 8, bargauge("Engineers' share of product-level comments, by repository",
		"Per repository and thread, engineers' share of the product-level comments by people.",
		percent, instant(`repository_thread:ownershipbot_comments_product_by_engineers:ratio{`+repo+`}`, "{{repository}} {{thread}}")))

	l.add(12, 8, timeseries("Comments analysed per hour, by level",
		"Comments analysed as they were created or edited (activity, not the store's truth).",
		FieldDefaults{Unit: "short", Min: f(0)}, true,
		series(`sum by (level) (increase(ownershipbot_comments_analyzed_total{`+repo+`}[1h]))`, "{{level}}")))
	l.add(12, 8, timeseries("Review comments per merged pull request",
		"Median review comments per merged pull request over the trailing 7 days, by level.",
		FieldDefaults{Unit: "short", Min: f(0)}, false,
		series(`histogram_quantile(0.5, sum by (level, le) (increase(ownershipbot_pull_request_review_comments_bucket[7d])))`, "{{level}}")))
	return d
}

// ownershipbotTargets restricts Go and process metrics to ownershipbot's own
// scrape targets, whatever the job is called.
const ownershipbotTargets = ` and on (instance, job) ownershipbot_store_up`

func operations() Dashboard {
	d := newDashboard("ownershipbot-operations", "Operations",
		"Is ownershipbot healthy: webhook deliveries, processing, the durable queue, failures, GitHub requests and rate limits, the store.")
	l := layout{d: &d}
	up := FieldDefaults{Unit: "none", Min: f(0), Max: f(1), Thresholds: &Thresholds{Mode: "absolute", Steps: []Step{{Color: "red"}, {Color: "green", Value: f(1)}}}}
	l.add(4, 5, stat("Store up", "1 when every replica reaches its store (min over replicas).", up, instant(`min(ownershipbot_store_up)`, "")))
	l.add(5, 5, stat("Queue depth", "Deliveries stored and not yet processed.", FieldDefaults{Unit: "short"}, instant(`ownershipbot:queue_depth:max`, "")))
	l.add(5, 5, stat("Failed deliveries (5m)", "Share of deliveries that ended failed after their retries, last 5 minutes.", percent, instant(`ownershipbot:deliveries_failed:ratio_rate5m`, "")))
	l.add(5, 5, stat("Last delivery", "Time since the newest webhook delivery any replica received.", FieldDefaults{Unit: "s"}, instant(`ownershipbot:webhook_last_delivery:age_seconds`, "")))
	l.add(5, 5, stat("Rate limit remaining", "Requests left in the tightest GitHub rate limit (lowest over resources and replicas).", FieldDefaults{Unit: "short"},
		instant(`min(resource:ownershipbot_github_rate_limit_remaining:min)`, "")))

	rate := FieldDefaults{Unit: "reqps", Min: f(0)}
	l.add(12, 8, timeseries("Webhook deliveries by outcome", "Deliveries received per second: accepted, duplicate, ignored, rejected.", rate, true,
		series(`sum by (outcome) (rate(ownershipbot_webhook_deliveries_total[$__rate_interval]))`, "{{outcome}}")))
	l.add(12, 8, timeseries("Processing attempts by outcome", "Attempts to process stored deliveries per second: done, retried, failed; and batches handed back because their lease could not be renewed (lease lost: near 0).", rate, true,
		series(`sum by (outcome) (rate(ownershipbot_deliveries_processed_total[$__rate_interval]))`, "{{outcome}}"),
		series(`sum(rate(ownershipbot_queue_leases_lost_total[$__rate_interval]))`, "lease lost")))

	l.add(12, 8, timeseries("Processing latency", "Time to process one delivery, GitHub calls included.", FieldDefaults{Unit: "s", Min: f(0)}, false,
		series(`histogram_quantile(0.5, sum by (le) (rate(ownershipbot_event_processing_seconds_bucket[$__rate_interval])))`, "p50"),
		series(`histogram_quantile(0.95, sum by (le) (rate(ownershipbot_event_processing_seconds_bucket[$__rate_interval])))`, "p95"),
		series(`histogram_quantile(0.99, sum by (le) (rate(ownershipbot_event_processing_seconds_bucket[$__rate_interval])))`, "p99")))
	l.add(12, 8, timeseries("Processing latency p95 by event", "95th percentile processing time per webhook event.", FieldDefaults{Unit: "s", Min: f(0)}, false,
		series(`histogram_quantile(0.95, sum by (event, le) (rate(ownershipbot_event_processing_seconds_bucket[$__rate_interval])))`, "{{event}}")))

	l.add(12, 8, timeseries("Queue depth", "Deliveries waiting; it should return to 0 between bursts.", FieldDefaults{Unit: "short", Min: f(0)}, false,
		series(`ownershipbot:queue_depth:max`, "queue depth")))
	l.add(12, 8, timeseries("Failed deliveries by event", "Deliveries given up on after their retries, per second (0 while none ever failed).", rate, true,
		series(`sum by (event) (rate(ownershipbot_deliveries_failed_total[$__rate_interval])) or on () vector(0)`, "{{event}}")))

	l.add(16, 9, timeseries("GitHub requests by route and status", "Requests to GitHub's REST API per second, by route template and status.", rate, true,
		series(`sum by (method, route, status) (rate(ownershipbot_github_requests_total[$__rate_interval]))`, "{{method}} {{route}} {{status}}")))
	l.add(8, 9, timeseries("GitHub rate limit remaining", "Requests left in the current rate-limit window, lowest across replicas.", FieldDefaults{Unit: "short", Min: f(0)}, false,
		series(`resource:ownershipbot_github_rate_limit_remaining:min`, "{{resource}}")))

	l.add(8, 8, timeseries("Bot comment writes", "Bot comment decisions per second; unchanged means no write was needed.", rate, true,
		series(`sum by (operation) (rate(ownershipbot_bot_comment_writes_total[$__rate_interval]))`, "{{operation}}")))
	l.add(8, 8, timeseries("Memory", "Resident memory per replica.", FieldDefaults{Unit: "bytes", Min: f(0)}, false,
		series(`process_resident_memory_bytes`+ownershipbotTargets, "{{instance}}")))
	l.add(8, 8, timeseries("Goroutines", "Goroutines per replica.", FieldDefaults{Unit: "short", Min: f(0)}, false,
		series(`go_goroutines`+ownershipbotTargets, "{{instance}}")))
	return d
}
