package main

import (
	"bufio"
	"context"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ownershipbot/ownershipbot/internal/needs"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write the browser test's screenshots to docs/img")

// runDemoCommand starts `ownershipbot demo` as a person would, on free ports, and
// returns its printed output once the summary is out, with the page's and
// the App's addresses.
func runDemoCommand(t *testing.T) (out string, pageURL, appURL string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	env := &cmdEnv{stdin: strings.NewReader(""), stdout: pw, stderr: io.Discard, getenv: func(string) string { return "" }}
	done := make(chan int, 1)
	go func() {
		done <- dispatch(ctx, env, []string{"demo", "--listen-addr", "127.0.0.1:0", "--ui-addr", "127.0.0.1:0",
			"--database-url", "sqlite:" + filepath.Join(t.TempDir(), "demo.db"), "--log-level", "error"})
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("demo exited %d", code)
		}
	})
	var b strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		b.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "Still serving") {
			go io.Copy(io.Discard, pr)
			break
		}
	}
	out = b.String()
	page := regexp.MustCompile(`The leaders' page: (http://\S+/)`).FindStringSubmatch(out)
	app := regexp.MustCompile(`the App serves (http://\S+) `).FindStringSubmatch(out)
	if page == nil || app == nil {
		t.Fatalf("the demo did not print the page's and the App's addresses:\n%s", out)
	}
	return out, page[1], app[1]
}

// newBrowser starts Debian's headless Chromium with the flags this machine
// needs (no sandbox as root, no background traffic) and a fresh profile.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	chromium := needs.Program(t, "chromium", "install Debian's chromium (apt-get install chromium)")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if len(png) < 10000 {
		t.Fatalf("screenshot %s is only %d bytes", name, len(png))
	}
	dir := t.TempDir()
	if *updateScreenshots {
		dir = filepath.Join("..", "..", "docs", "img")
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

type overviewRow struct {
	Repo                             string
	Open, WithOwner, WithRationale   string
	WithBoth, EngineersProductLevel  string
	OwnerCount, RationaleCount, Both string
}

// A person runs the demo and opens the page it prints: the overview lists
// the four demo repositories with the summary's and /metrics' figures; a
// repository page lists its issues in need with working links to GitHub
// (the simulated GitHub's own pages); the page fits a phone's width.
func TestBrowserSeesTheDemoOnThePage(t *testing.T) {
	ctx := newBrowser(t)
	summary, pageURL, appURL := runDemoCommand(t)

	if err := chromedp.Do(ctx, chromedp.Navigate(pageURL), chromedp.WaitVisible(`table.overview`)); err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]overviewRow](`[...document.querySelectorAll("tr[data-repository]")].map(tr => {
			const f = n => tr.querySelector('[data-figure="'+n+'"]');
			return {Repo: tr.dataset.repository, Open: f("open").textContent, WithOwner: f("with_owner").textContent,
				WithRationale: f("with_rationale").textContent, WithBoth: f("with_both").textContent,
				EngineersProductLevel: f("engineers_product_level").textContent,
				OwnerCount: f("with_owner").dataset.count, RationaleCount: f("with_rationale").dataset.count, Both: f("with_both").dataset.count};
		})`))
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "page-overview.png")
	checkOverviewFits(t, ctx)
	// A smaller laptop's screen still shows the whole table.
	laptop, cancelLaptop := chromedp.NewContext(ctx)
	defer cancelLaptop()
	if err := chromedp.Do(laptop, chromedp.EmulateViewport(1024, 768), chromedp.Navigate(pageURL), chromedp.WaitVisible(`table.overview`)); err != nil {
		t.Fatal(err)
	}
	checkOverviewFits(t, laptop)
	if len(rows) != 4 {
		t.Fatalf("the overview lists %d repositories, want the demo's four: %+v", len(rows), rows)
	}
	resp, err := http.Get(appURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metricsText, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, r := range rows {
		// The summary's first table: open, with owner, with rationale, with
		// both as "N (P%)".
		line := ""
		for _, l := range strings.Split(summary, "\n") {
			if strings.HasPrefix(l, r.Repo+" ") {
				line = l
				break
			}
		}
		want := strings.Join([]string{r.Repo, r.Open, r.OwnerCount + " (" + r.WithOwner + ")", r.RationaleCount + " (" + r.WithRationale + ")", r.Both + " (" + r.WithBoth + ")"}, " ")
		if strings.Join(strings.Fields(line)[:min(len(strings.Fields(line)), 8)], " ") != want {
			t.Errorf("%s: the page shows %q, the summary %q", r.Repo, want, line)
		}
		open := 0
		for _, m := range regexp.MustCompile(`ownershipbot_issues\{owner="\w+",rationale="\w+",repository="`+regexp.QuoteMeta(r.Repo)+`"\} (\d+)`).FindAllStringSubmatch(string(metricsText), -1) {
			open += atoiTest(m[1])
		}
		if itoaTest(open) != r.Open {
			t.Errorf("%s: the page shows %s open issues, /metrics %d", r.Repo, r.Open, open)
		}
	}

	// A repository page: its issues in need, each link to GitHub working.
	if err := chromedp.Do(ctx, chromedp.Click(`a[href="/repos/acme/web"]`, chromedp.NodeVisible), chromedp.WaitVisible(`#in-need`)); err != nil {
		t.Fatal(err)
	}
	links, err := chromedp.Run(ctx, chromedp.Evaluate[[]struct{ Href, Text, Missing string }](`[...document.querySelectorAll("ol.needs > li")].map(li => {
			const a = li.querySelector("a");
			return {Href: a.href, Text: a.textContent, Missing: li.querySelector(".missing").textContent};
		})`))
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "page-repository.png")
	unowned := 0
	for _, l := range links {
		if strings.Contains(l.Missing, "owner") {
			unowned++
		}
		resp, err := http.Get(l.Href)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		title := strings.SplitN(l.Text, " ", 2)[1]
		if resp.StatusCode != 200 || !strings.Contains(string(body), title) || !strings.Contains(string(body), "open") {
			t.Errorf("the link %s of %q answered %d without the open issue's title", l.Href, l.Text, resp.StatusCode)
		}
	}
	if unowned == 0 {
		t.Errorf("acme/web's page lists no unowned issue: %+v", links)
	}
	// Following the first link in the browser lands on that issue.
	if err := chromedp.Do(ctx, chromedp.Click(`ol.needs > li a`, chromedp.NodeVisible), chromedp.WaitVisible(`h1 span`)); err != nil {
		t.Fatal(err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text(`h1`, chromedp.NodeVisible))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(heading, strings.SplitN(links[0].Text, " ", 2)[1]) {
		t.Errorf("the first link led to %q, not %q", heading, links[0].Text)
	}

	// On a phone the page fits the screen's width; the wide table scrolls
	// inside its own box.
	phone, cancel := chromedp.NewContext(ctx)
	defer cancel()
	if err := chromedp.Do(phone, chromedp.EmulateViewport(phoneWidth, 844, chromedp.EmulateMobile), chromedp.Navigate(pageURL), chromedp.WaitVisible(`table.overview`)); err != nil {
		t.Fatal(err)
	}
	screenshot(t, phone, "page-phone.png")
	if w := pageWidth(t, phone); w > phoneWidth {
		t.Errorf("on a %d px wide phone the overview is %.0f px wide", phoneWidth, w)
	}
	checkOverviewOnPhone(t, phone)

	// A repository's page fits the phone too: its charts shrink to the
	// screen, its long lines wrap.
	if err := chromedp.Do(phone, chromedp.Navigate(pageURL+"repos/acme/web"), chromedp.WaitVisible(`#in-need`)); err != nil {
		t.Fatal(err)
	}
	if w := pageWidth(t, phone); w > phoneWidth {
		t.Errorf("on a %d px wide phone acme/web's page is %.0f px wide", phoneWidth, w)
	}
}

// phoneWidth is the phone's screen width in CSS pixels.
const phoneWidth = 390

// pageWidth is how wide the page's content is laid out. It is compared with
// the screen's width rather than the window's: a mobile browser widens its
// window to show content that overflows.
func pageWidth(t *testing.T, ctx context.Context) float64 {
	t.Helper()
	w, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// overviewColumns are the columns the overview promises leaders (issue 12),
// as its header cells name them in data-column and its cells in
// data-figure.
var overviewColumns = []string{"open", "with_owner", "with_rationale", "with_both", "closed", "time_to_owner",
	"engineers_product_level", "product_people_product_level", "concern_mix", "trend"}

type box struct{ Left, Right, Top, Bottom float64 }

func (b box) empty() bool { return b.Right-b.Left < 1 || b.Bottom-b.Top < 1 }

// holds says whether b holds o, give or take a pixel of rounding.
func (b box) holds(o box) bool {
	return o.Left >= b.Left-1 && o.Right <= b.Right+1 && o.Top >= b.Top-1 && o.Bottom <= b.Bottom+1
}

func (b box) overlaps(o box) bool {
	return b.Left < o.Right-1 && o.Left < b.Right-1 && b.Top < o.Bottom-1 && o.Top < b.Bottom-1
}

type overviewHeader struct {
	Column, Text string
	Cell, Words  box  // the header cell and its text
	OnTop        bool // the text's middle is this header's, not something drawn over it
}

type overviewCell struct {
	Repo, Column string
	Cell, Chart  box // Chart: the cell's SVG, if any
	Covered      bool
}

type overviewLayout struct {
	Container, Table box
	Scrolls          bool // the table's box scrolls sideways
	ViewportWidth    float64
	Headers          []overviewHeader
	Cells            []overviewCell
}

// measureOverview reads the boxes the browser laid the overview's table
// out in.
const measureOverview = `(() => {
	const rect = el => { const r = el.getBoundingClientRect(); return {Left: r.left, Right: r.right, Top: r.top, Bottom: r.bottom}; };
	const table = document.querySelector("table.overview"), wrap = table.parentElement, main = document.querySelector("main");
	const cs = getComputedStyle(main), m = main.getBoundingClientRect();
	const container = {Left: m.left + parseFloat(cs.paddingLeft), Right: m.right - parseFloat(cs.paddingRight), Top: m.top, Bottom: m.bottom};
	const words = el => { const r = document.createRange(); r.selectNodeContents(el); const b = r.getBoundingClientRect(); return {Left: b.left, Right: b.right, Top: b.top, Bottom: b.bottom}; };
	const onTop = (el, b) => { const hit = document.elementFromPoint((b.Left + b.Right) / 2, (b.Top + b.Bottom) / 2); return hit !== null && el.contains(hit); };
	const headers = [...table.querySelectorAll("thead th[data-column]")].map(th => {
		const w = words(th);
		return {Column: th.dataset.column, Text: th.textContent.trim(), Cell: rect(th), Words: w, OnTop: onTop(th, w)};
	});
	const cells = [];
	for (const tr of table.querySelectorAll("tbody tr[data-repository]")) {
		for (const td of tr.querySelectorAll("[data-figure]")) {
			const svg = td.querySelector("svg"), c = rect(td);
			cells.push({Repo: tr.dataset.repository, Column: td.dataset.figure, Cell: c, Chart: svg ? rect(svg) : {Left: 0, Right: 0, Top: 0, Bottom: 0},
				Covered: !onTop(td, c)});
		}
	}
	return {Container: container, Table: rect(table), Scrolls: wrap.scrollWidth > wrap.clientWidth, ViewportWidth: window.innerWidth,
		Headers: headers, Cells: cells};
})()`

// checkOverviewFits holds the desktop overview to what a leader needs to
// read it: the table fits its column of the page without scrolling, and
// every promised column's header is shown whole, over no other, and every
// repository's figure in it is on screen.
func checkOverviewFits(t *testing.T, ctx context.Context) {
	t.Helper()
	l, err := chromedp.Run(ctx, chromedp.Evaluate[overviewLayout](measureOverview))
	if err != nil {
		t.Fatal(err)
	}
	if !l.Container.holds(box{l.Table.Left, l.Table.Right, l.Container.Top, l.Container.Top}) || l.Scrolls {
		t.Errorf("at %.0f px the overview's table (%.0f to %.0f px) does not fit its container (%.0f to %.0f px)",
			l.ViewportWidth, l.Table.Left, l.Table.Right, l.Container.Left, l.Container.Right)
	}
	headers := map[string]overviewHeader{}
	for _, h := range l.Headers {
		headers[h.Column] = h
	}
	for _, col := range overviewColumns {
		h, ok := headers[col]
		switch {
		case !ok:
			t.Errorf("the overview has no %s column", col)
		case h.Cell.empty() || h.Words.empty() || h.Text == "":
			t.Errorf("the %s column's header %q is not shown", col, h.Text)
		case !h.Cell.holds(h.Words):
			t.Errorf("the %s column's header %q spills out of its cell: text %+v, cell %+v", col, h.Text, h.Words, h.Cell)
		case !l.Table.holds(h.Cell) || h.Cell.Right > l.ViewportWidth:
			t.Errorf("the %s column's header %q is cut off: %+v", col, h.Text, h.Cell)
		case !h.OnTop:
			t.Errorf("the %s column's header %q is covered by something else", col, h.Text)
		}
	}
	for i, a := range l.Headers {
		for _, b := range l.Headers[i+1:] {
			if a.Words.overlaps(b.Words) {
				t.Errorf("the headers %q and %q overlap", a.Text, b.Text)
			}
		}
	}
	seen := map[string]int{}
	for _, c := range l.Cells {
		seen[c.Column]++
		if c.Cell.empty() || !l.Container.holds(box{c.Cell.Left, c.Cell.Right, l.Container.Top, l.Container.Top}) || c.Covered {
			t.Errorf("%s's %s is not on screen: %+v", c.Repo, c.Column, c.Cell)
		}
		if (c.Column == "concern_mix" || c.Column == "trend") && (c.Chart.empty() || !c.Cell.holds(c.Chart)) {
			t.Errorf("%s's %s chart is not shown whole in its cell: chart %+v, cell %+v", c.Repo, c.Column, c.Chart, c.Cell)
		}
	}
	for _, col := range overviewColumns {
		if seen[col] != 4 {
			t.Errorf("the overview shows %d repositories' %s, want the demo's four", seen[col], col)
		}
	}
}

type phoneCard struct {
	Repo      string
	Name      box
	NameShown bool
	Figures   []phoneFigure
}

type phoneFigure struct {
	Column, Label string
	Cell          box
}

// checkOverviewOnPhone holds the phone's overview to being readable without
// sideways scrolling: each repository's name and every promised figure,
// with its label, lie within the screen's width.
func checkOverviewOnPhone(t *testing.T, ctx context.Context) {
	t.Helper()
	cards, err := chromedp.Run(ctx, chromedp.Evaluate[[]phoneCard](`[...document.querySelectorAll("table.overview tbody tr[data-repository]")].map(tr => {
		const rect = el => { const r = el.getBoundingClientRect(); return {Left: r.left, Right: r.right, Top: r.top, Bottom: r.bottom}; };
		const name = tr.querySelector("th a");
		return {Repo: tr.dataset.repository, Name: rect(name), NameShown: getComputedStyle(name).visibility === "visible",
			Figures: [...tr.querySelectorAll("[data-figure]")].map(td => ({Column: td.dataset.figure,
				Label: getComputedStyle(td, "::before").content.replace(/^"|"$/g, ""), Cell: rect(td)}))};
	})`))
	if err != nil {
		t.Fatal(err)
	}
	if len(cards) != 4 {
		t.Fatalf("the phone's overview shows %d repositories, want 4", len(cards))
	}
	for _, c := range cards {
		screen := box{0, phoneWidth, c.Name.Top - 1, c.Name.Bottom + 1}
		if c.Name.empty() || !c.NameShown || !screen.holds(c.Name) {
			t.Errorf("on a phone %s's name is not on screen: %+v", c.Repo, c.Name)
		}
		got := map[string]bool{}
		for _, f := range c.Figures {
			got[f.Column] = true
			if f.Cell.empty() || f.Cell.Left < -1 || f.Cell.Right > phoneWidth+1 {
				t.Errorf("on a phone %s's %s is off screen: %+v", c.Repo, f.Column, f.Cell)
			}
			if f.Label == "" || f.Label == "none" {
				t.Errorf("on a phone %s's %s has no label", c.Repo, f.Column)
			}
		}
		for _, col := range overviewColumns {
			if !got[col] {
				t.Errorf("on a phone %s lacks its %s", c.Repo, col)
			}
		}
	}
}

func atoiTest(s string) int { n, _ := strconv.Atoi(s); return n }

func itoaTest(n int) string { return strconv.Itoa(n) }
