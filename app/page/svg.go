package page

import (
	"fmt"
	"html"
	"html/template"
	"strings"
	"time"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/analysis/figures"
	"github.com/ownershipbot/ownershipbot/app/rollup"
	"github.com/ownershipbot/ownershipbot/app/store"
)

// The charts are inline SVG written here: no script, no fonts or images
// from elsewhere, readable without colour (each series is also named in a
// legend and in the SVG's title). Every value in them is a number or text
// escaped here, so they are safe to mark as HTML.

// Series colours, chosen to stay apart for common colour-vision deficiencies.
var seriesColours = []string{"#0072b2", "#e69f00", "#009e73"}

// trendChart draws the share of open issues with an owner, a rationale and
// both over the last trendDays days; days without a rollup are gaps.
func trendChart(rs []store.Rollup, now time.Time, width, height int, withLegend bool) template.HTML {
	if len(rs) == 0 {
		return template.HTML(`<p class="muted">No daily figures yet: the first are taken within the hour.</p>`)
	}
	first := rollup.Day(now).AddDate(0, 0, -(trendDays - 1))
	pad := 4
	x := func(day time.Time) float64 {
		i := day.Sub(first).Hours() / 24
		return float64(pad) + i*float64(width-2*pad)/float64(trendDays-1)
	}
	y := func(s figures.Share) float64 {
		return float64(pad) + (1-s.Ratio())*float64(height-2*pad)
	}
	series := []struct {
		name  string
		share func(store.Rollup) figures.Share
	}{
		{figures.NameWithOwner, func(r store.Rollup) figures.Share { return figures.Share{N: r.WithOwner, Of: r.OpenIssues} }},
		{figures.NameWithRationale, func(r store.Rollup) figures.Share { return figures.Share{N: r.WithRationale, Of: r.OpenIssues} }},
		{figures.NameWithBoth, func(r store.Rollup) figures.Share { return figures.Share{N: r.WithBoth, Of: r.OpenIssues} }},
	}
	last := rs[len(rs)-1]
	var b strings.Builder
	title := fmt.Sprintf("Share of open issues over the last %d days; today %s with an owner, %s with a rationale, %s with both",
		trendDays, series[0].share(last), series[1].share(last), series[2].share(last))
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s"><title>%s</title>`,
		width, height, width, height, html.EscapeString(title), html.EscapeString(title))
	for _, g := range []float64{0, .5, 1} {
		gy := float64(pad) + (1-g)*float64(height-2*pad)
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd" stroke-width="1"/>`, pad, width-pad, gy, gy)
	}
	for i, s := range series {
		var pts []string
		flush := func() {
			if len(pts) == 1 {
				var cx, cy float64
				fmt.Sscanf(pts[0], "%f,%f", &cx, &cy)
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"/>`, cx, cy, seriesColours[i])
			} else if len(pts) > 1 {
				fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, seriesColours[i], strings.Join(pts, " "))
			}
			pts = pts[:0]
		}
		var prev time.Time
		for _, r := range rs {
			if !prev.IsZero() && r.Day.Sub(prev) > 24*time.Hour {
				flush() // a gap: a day without a rollup
			}
			if r.OpenIssues > 0 {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(r.Day), y(s.share(r))))
			}
			prev = r.Day
		}
		flush()
	}
	b.WriteString(`</svg>`)
	if withLegend {
		b.WriteString(`<ul class="legend">`)
		for i, s := range series {
			fmt.Fprintf(&b, `<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="%s"/></svg> %s: %s</li>`,
				seriesColours[i], html.EscapeString(s.name), s.share(last))
		}
		fmt.Fprintf(&b, `<li class="muted">0–100%% of open issues, %s to %s</li></ul>`, first.Format("Jan 2"), rollup.Day(now).Format("Jan 2"))
	}
	return template.HTML(b.String())
}

// concernColours gives each concern its own colour, in AllConcerns' order.
var concernColours = []string{"#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00"}

// concernBar draws the concern mix as one stacked bar (compact) or as one
// bar per concern with its count and share (full).
func concernBar(c figures.Comments, width int, full bool) template.HTML {
	total := 0
	for _, k := range analysis.AllConcerns {
		total += c.Concerns[k]
	}
	if total == 0 {
		return template.HTML(`<span class="muted">none yet</span>`)
	}
	var b strings.Builder
	if !full {
		var parts []string
		for _, k := range analysis.AllConcerns {
			if c.Concerns[k] > 0 {
				parts = append(parts, fmt.Sprintf("%s %s", k, c.ConcernShare(k)))
			}
		}
		label := "Concern mix: " + strings.Join(parts, ", ")
		fmt.Fprintf(&b, `<svg class="bar" viewBox="0 0 %d 14" width="%d" height="14" role="img" aria-label="%s"><title>%s</title>`,
			width, width, html.EscapeString(label), html.EscapeString(label))
		xpos := 0.0
		for i, k := range analysis.AllConcerns {
			w := float64(c.Concerns[k]) / float64(total) * float64(width)
			if w > 0 {
				fmt.Fprintf(&b, `<rect x="%.1f" y="0" width="%.1f" height="14" fill="%s"/>`, xpos, w, concernColours[i])
			}
			xpos += w
		}
		b.WriteString(`</svg>`)
		return template.HTML(b.String())
	}
	rowH, labelW := 22, 130
	height := rowH * len(analysis.AllConcerns)
	max := 0
	for _, k := range analysis.AllConcerns {
		max = maxInt(max, c.Concerns[k])
	}
	label := "Concerns raised in people's product-level comments"
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s"><title>%s</title>`,
		width, height, width, height, label, label)
	for i, k := range analysis.AllConcerns {
		y := i * rowH
		w := float64(c.Concerns[k]) / float64(max) * float64(width-labelW-70)
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="12" fill="#222">%s</text>`, y+15, html.EscapeString(string(k)))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="14" fill="%s"/>`, labelW, y+4, w, concernColours[i])
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12" fill="#222">%d · %s</text>`, float64(labelW)+w+6, y+15, c.Concerns[k], c.ConcernShare(k))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// issueBar draws the open issues split into: both, owner only, rationale
// only, neither.
func issueBar(is figures.Issues, width int) template.HTML {
	if is.Open == 0 {
		return template.HTML(`<span class="muted">no open issues</span>`)
	}
	parts := []struct {
		n      int
		name   string
		colour string
	}{
		{is.WithBoth, "owner and rationale", "#009e73"},
		{is.WithOwner - is.WithBoth, "owner only", "#0072b2"},
		{is.WithRationale - is.WithBoth, "rationale only", "#e69f00"},
		{is.Open - is.WithOwner - is.WithRationale + is.WithBoth, "neither", "#bbbbbb"},
	}
	var words []string
	for _, p := range parts {
		words = append(words, fmt.Sprintf("%d %s", p.n, p.name))
	}
	label := fmt.Sprintf("%d open issues: %s", is.Open, strings.Join(words, ", "))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d 18" width="%d" height="18" role="img" aria-label="%s"><title>%s</title>`,
		width, width, html.EscapeString(label), html.EscapeString(label))
	xpos := 0.0
	for _, p := range parts {
		w := float64(p.n) / float64(is.Open) * float64(width)
		if w > 0 {
			fmt.Fprintf(&b, `<rect x="%.1f" y="0" width="%.1f" height="18" fill="%s"/>`, xpos, w, p.colour)
		}
		xpos += w
	}
	b.WriteString(`</svg><ul class="legend">`)
	for _, p := range parts {
		fmt.Fprintf(&b, `<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="%s"/></svg> %d %s</li>`, p.colour, p.n, html.EscapeString(p.name))
	}
	b.WriteString(`</ul>`)
	return template.HTML(b.String())
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}
