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

// trendSeries are the trend's lines, in seriesColours' order.
var trendSeries = []struct {
	name  string
	share func(store.Rollup) figures.Share
}{
	{figures.NameWithOwner, func(r store.Rollup) figures.Share { return figures.Share{N: r.WithOwner, Of: r.OpenIssues} }},
	{figures.NameWithRationale, func(r store.Rollup) figures.Share { return figures.Share{N: r.WithRationale, Of: r.OpenIssues} }},
	{figures.NameWithBoth, func(r store.Rollup) figures.Share { return figures.Share{N: r.WithBoth, Of: r.OpenIssues} }},
}

// plot is where a trend's lines go inside its SVG: the margins leave room
// for the axis' labels.
type plot struct {
	width, height            int
	left, right, top, bottom int // margins
}

// trendChart draws the share of open issues with an owner, a rationale and
// both over the last trendDays days, on a 0–100% axis with the first and
// last day named under it; days without a rollup are gaps.
func trendChart(rs []store.Rollup, now time.Time, width, height int) template.HTML {
	if len(rs) == 0 {
		return template.HTML(`<p class="muted">No daily figures yet: the first are taken within the hour.</p>`)
	}
	first := rollup.Day(now).AddDate(0, 0, -(trendDays - 1))
	p := plot{width: width, height: height, left: 40, right: 8, top: 8, bottom: 22}
	var b strings.Builder
	drawTrend(&b, rs, first, p, "chart", true)
	b.WriteString(`<ul class="legend">`)
	final := rs[len(rs)-1]
	for i, s := range trendSeries {
		fmt.Fprintf(&b, `<li>%s %s: %s</li>`, swatch(seriesColours[i]), html.EscapeString(s.name), s.share(final))
	}
	fmt.Fprintf(&b, `<li class="muted">share of %s each day</li></ul>`, html.EscapeString(figures.NameOpenIssues))
	return template.HTML(b.String())
}

// sparkline draws the trend small, for a table cell: the same lines, no
// labels (seriesLegend names them once under the table).
func sparkline(rs []store.Rollup, now time.Time) template.HTML {
	if len(rs) == 0 {
		return template.HTML(`<span class="muted">none yet</span>`)
	}
	var b strings.Builder
	drawTrend(&b, rs, rollup.Day(now).AddDate(0, 0, -(trendDays-1)), plot{width: 110, height: 32, left: 2, right: 2, top: 3, bottom: 3}, "spark", false)
	return template.HTML(b.String())
}

func drawTrend(b *strings.Builder, rs []store.Rollup, first time.Time, p plot, class string, axis bool) {
	plotW, plotH := float64(p.width-p.left-p.right), float64(p.height-p.top-p.bottom)
	x := func(day time.Time) float64 {
		return float64(p.left) + day.Sub(first).Hours()/24*plotW/float64(trendDays-1)
	}
	y := func(ratio float64) float64 { return float64(p.top) + (1-ratio)*plotH }
	final := rs[len(rs)-1]
	title := fmt.Sprintf("Share of open issues over the last %d days; today %s with an owner, %s with a rationale, %s with both",
		trendDays, trendSeries[0].share(final), trendSeries[1].share(final), trendSeries[2].share(final))
	fmt.Fprintf(b, `<svg class="%s" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s"><title>%s</title>`,
		class, p.width, p.height, p.width, p.height, html.EscapeString(title), html.EscapeString(title))
	for _, g := range []float64{0, .5, 1} {
		fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd" stroke-width="1"/>`, p.left, p.width-p.right, y(g), y(g))
		if axis {
			fmt.Fprintf(b, `<text x="%d" y="%.1f" font-size="12" text-anchor="end" fill="#59636e">%.0f%%</text>`, p.left-6, y(g)+4, g*100)
		}
	}
	if axis {
		last := first.AddDate(0, 0, trendDays-1)
		fmt.Fprintf(b, `<text x="%d" y="%d" font-size="12" fill="#59636e">%s</text>`, p.left, p.height-6, first.Format("Jan 2"))
		fmt.Fprintf(b, `<text x="%d" y="%d" font-size="12" text-anchor="end" fill="#59636e">%s</text>`, p.width-p.right, p.height-6, last.Format("Jan 2"))
	}
	for i, s := range trendSeries {
		var pts [][2]float64
		flush := func() {
			switch {
			case len(pts) == 1:
				fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"/>`, pts[0][0], pts[0][1], seriesColours[i])
			case len(pts) > 1:
				var xy []string
				for _, pt := range pts {
					xy = append(xy, fmt.Sprintf("%.1f,%.1f", pt[0], pt[1]))
				}
				fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, seriesColours[i], strings.Join(xy, " "))
			}
			pts = pts[:0]
		}
		var prev time.Time
		for _, r := range rs {
			if !prev.IsZero() && r.Day.Sub(prev) > 24*time.Hour {
				flush() // a gap: a day without a rollup
			}
			if r.OpenIssues > 0 {
				pts = append(pts, [2]float64{x(r.Day), y(s.share(r).Ratio())})
			}
			prev = r.Day
		}
		flush()
	}
	b.WriteString(`</svg>`)
}

// swatch is a legend's colour square.
func swatch(colour string) string {
	return fmt.Sprintf(`<svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="%s"/></svg>`, colour)
}

// seriesLegend names the sparklines' lines by colour.
func seriesLegend() template.HTML {
	var b strings.Builder
	for i, s := range trendSeries {
		fmt.Fprintf(&b, `<li>%s %s</li>`, swatch(seriesColours[i]), html.EscapeString(s.name))
	}
	return template.HTML(b.String())
}

// concernLegend names the compact concern bars' colours.
func concernLegend() template.HTML {
	var b strings.Builder
	for i, k := range analysis.AllConcerns {
		fmt.Fprintf(&b, `<li>%s %s</li>`, swatch(concernColours[i]), html.EscapeString(string(k)))
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
		fmt.Fprintf(&b, `<svg class="bar" viewBox="0 0 %d 14" width="%d" height="14" preserveAspectRatio="none" role="img" aria-label="%s"><title>%s</title>`,
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
		fmt.Fprintf(&b, `<li>%s %d %s</li>`, swatch(p.colour), p.n, html.EscapeString(p.name))
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
