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
	if err := chromedp.Do(phone, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(pageURL), chromedp.WaitVisible(`table.overview`)); err != nil {
		t.Fatal(err)
	}
	overflow, err := chromedp.Run(phone, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, phone, "page-phone.png")
	if overflow {
		t.Errorf("on a 390 px wide phone the overview is wider than the screen")
	}
}

func atoiTest(s string) int { n, _ := strconv.Atoi(s); return n }

func itoaTest(n int) string { return strconv.Itoa(n) }
