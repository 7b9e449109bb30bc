// Command render draws ownershipbot's Grafana dashboards as PNG images from
// real Prometheus query results, for the README where no Grafana runs:
//
//	deploy/grafana/render.sh            # or: go run ./deploy/grafana/render -out docs/img
//
// It starts a Prometheus (with deploy/prometheus/rules) scraping
// `ownershipbot demo` from before the demo's replay begins, lets it collect
// for a while, then asks every panel's queries (instant for stat, bar gauge and
// pie panels, range for time series) and lays the results out on Grafana's
// 24-column grid as SVG, converted to PNG with rsvg-convert. This is a
// rendering of the panels' data, not a Grafana screenshot: same queries,
// same layout, simpler drawing.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/ownershipbot/ownershipbot/deploy/internal/stack"
)

func main() {
	out := flag.String("out", "docs/img", "directory for the PNG files")
	collect := flag.Duration("collect", 45*time.Second, "how long Prometheus collects after the replay before rendering")
	scrape := flag.Duration("scrape", 250*time.Millisecond, "scrape and rule evaluation interval")
	keepSVG := flag.Bool("svg", false, "keep the SVG files next to the PNGs")
	flag.Parse()
	if err := run(*out, *collect, *scrape, *keepSVG); err != nil {
		fmt.Fprintf(os.Stderr, "render: %v\n", err)
		os.Exit(1)
	}
}

type dashboard struct {
	Title  string  `json:"title"`
	UID    string  `json:"uid"`
	Panels []panel `json:"panels"`
}

type panel struct {
	Type        string                   `json:"type"`
	Title       string                   `json:"title"`
	GridPos     struct{ H, W, X, Y int } `json:"gridPos"`
	FieldConfig struct {
		Defaults struct {
			Unit   string   `json:"unit"`
			Min    *float64 `json:"min"`
			Max    *float64 `json:"max"`
			Custom struct {
				Stacking *struct {
					Mode string `json:"mode"`
				} `json:"stacking"`
			} `json:"custom"`
		} `json:"defaults"`
	} `json:"fieldConfig"`
	Targets []struct {
		Expr         string `json:"expr"`
		LegendFormat string `json:"legendFormat"`
	} `json:"targets"`
}

// series is one drawn line, bar or slice.
type series struct {
	Name   string
	Value  float64
	Points [][2]float64
}

func run(out string, collect, scrape time.Duration, keepSVG bool) error {
	if _, err := exec.LookPath("rsvg-convert"); err != nil {
		return fmt.Errorf("rsvg-convert is not installed; install it with `apt-get install librsvg2-bin`")
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return fmt.Errorf("run from the repository root")
	}
	files, err := filepath.Glob(filepath.Join(root, "deploy", "grafana", "dashboards", "*.json"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no dashboards in deploy/grafana/dashboards")
	}
	work, err := os.MkdirTemp("", "ownershipbot-render-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	ctx, cancel := context.WithTimeout(context.Background(), collect+5*time.Minute)
	defer cancel()
	fmt.Fprintln(os.Stderr, "render: starting Prometheus and ownershipbot demo on loopback")
	s, err := stack.Start(ctx, stack.Options{RepoRoot: root, WorkDir: work, ScrapeInterval: scrape, PrometheusFirst: true})
	if err != nil {
		return err
	}
	defer s.Close()
	start := time.Now().Add(-2 * time.Second)
	if err := s.WaitReplayed(ctx); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "render: demo replayed; collecting for %s\n", collect)
	select {
	case <-time.After(collect):
	case <-ctx.Done():
		return ctx.Err()
	}
	end := time.Now()
	rangeStr := fmt.Sprintf("%ds", int(end.Sub(start).Seconds()))
	rate := fmt.Sprintf("%dms", 4*scrape.Milliseconds())
	vars := strings.NewReplacer(
		"${repository}", ".*", "$repository", ".*",
		"$__rate_interval", rate, "$__interval", rate, "$__range", rangeStr,
	)
	step := end.Sub(start) / 120

	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var d dashboard
		if err := json.Unmarshal(b, &d); err != nil {
			return fmt.Errorf("%s: %v", f, err)
		}
		data := make([][]series, len(d.Panels))
		for i, p := range d.Panels {
			for _, tg := range p.Targets {
				expr := vars.Replace(tg.Expr)
				if p.Type == "timeseries" {
					res, err := s.QueryRange(ctx, expr, start, end, step)
					if err != nil {
						return fmt.Errorf("%s / %s: %v", d.Title, p.Title, err)
					}
					for _, r := range res {
						data[i] = append(data[i], series{Name: legend(tg.LegendFormat, r.Metric, expr), Points: r.Points})
					}
				} else {
					res, err := s.Query(ctx, expr, end)
					if err != nil {
						return fmt.Errorf("%s / %s: %v", d.Title, p.Title, err)
					}
					for _, r := range res {
						data[i] = append(data[i], series{Name: legend(tg.LegendFormat, r.Metric, expr), Value: r.Value})
					}
				}
			}
			sort.SliceStable(data[i], func(a, b int) bool { return data[i][a].Name < data[i][b].Name })
		}
		svg := drawDashboard(d, data, start, end)
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		svgPath := filepath.Join(work, name+".svg")
		if keepSVG {
			svgPath = filepath.Join(out, "dashboard-"+name+".svg")
		}
		if err := os.WriteFile(svgPath, []byte(svg), 0o644); err != nil {
			return err
		}
		png := filepath.Join(out, "dashboard-"+name+".png")
		if b, err := exec.CommandContext(ctx, "rsvg-convert", "-o", png, svgPath).CombinedOutput(); err != nil {
			return fmt.Errorf("rsvg-convert: %v\n%s", err, b)
		}
		fmt.Fprintf(os.Stderr, "render: wrote %s\n", png)
	}
	return nil
}

var legendVar = regexp.MustCompile(`\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}`)

func legend(format string, metric map[string]string, expr string) string {
	if format == "" {
		if len(metric) == 0 {
			return "value"
		}
		keys := make([]string, 0, len(metric))
		for k, v := range metric {
			keys = append(keys, k+"="+v)
		}
		sort.Strings(keys)
		return strings.Join(keys, ", ")
	}
	name := legendVar.ReplaceAllStringFunc(format, func(m string) string {
		return metric[legendVar.FindStringSubmatch(m)[1]]
	})
	if strings.TrimSpace(name) == "" {
		return "value"
	}
	return name
}

// ---- drawing ----

const (
	width    = 1600
	pad      = 16
	rowPx    = 30
	headerPx = 70
	bg       = "#111217"
	panelBg  = "#181b1f"
	border   = "#2c3235"
	text     = "#ccccdc"
	muted    = "#8e8e9e"
)

var palette = []string{"#73bf69", "#f2cc0c", "#8ab8ff", "#ff780a", "#f2495c", "#5794f2", "#b877d9", "#705da0", "#37872d", "#fade2a", "#447ebc", "#c4162a"}

type canvas struct{ b strings.Builder }

func (c *canvas) f(format string, a ...any) { fmt.Fprintf(&c.b, format, a...) }

func esc(s string) string { return html.EscapeString(s) }

func drawDashboard(d dashboard, data [][]series, start, end time.Time) string {
	rows := 0
	for _, p := range d.Panels {
		rows = max(rows, p.GridPos.Y+p.GridPos.H)
	}
	height := headerPx + rows*rowPx + pad*2
	var c canvas
	c.f(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="DejaVu Sans, Inter, Helvetica, Arial, sans-serif">`, width, height)
	c.f(`<rect width="100%%" height="100%%" fill="%s"/>`, bg)
	c.f(`<text x="%d" y="34" font-size="22" fill="%s">%s</text>`, pad, text, esc(d.Title))
	c.f(`<text x="%d" y="56" font-size="12" fill="%s">Rendered from real Prometheus queries over ownershipbot demo, %s to %s UTC, repository = All (deploy/grafana/render.sh; not a Grafana screenshot)</text>`,
		pad, muted, start.UTC().Format("2006-01-02 15:04:05"), end.UTC().Format("15:04:05"))
	colW := float64(width-2*pad) / 24
	for i, p := range d.Panels {
		x := float64(pad) + float64(p.GridPos.X)*colW + 4
		y := float64(headerPx + p.GridPos.Y*rowPx + 4)
		w := float64(p.GridPos.W)*colW - 8
		h := float64(p.GridPos.H*rowPx) - 8
		c.f(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="3" fill="%s" stroke="%s"/>`, x, y, w, h, panelBg, border)
		c.f(`<text x="%.1f" y="%.1f" font-size="13" font-weight="bold" fill="%s">%s</text>`, x+10, y+20, text, esc(clip(p.Title, int(w/7.5))))
		bx, by, bw, bh := x+10, y+30, w-20, h-38
		switch p.Type {
		case "stat":
			drawStat(&c, p, data[i], bx, by, bw, bh)
		case "timeseries":
			drawTimeseries(&c, p, data[i], bx, by, bw, bh, start, end)
		case "bargauge":
			drawBars(&c, p, data[i], bx, by, bw, bh)
		case "piechart":
			drawPie(&c, p, data[i], bx, by, bw, bh)
		}
	}
	c.f(`</svg>`)
	return c.b.String()
}

func clip(s string, n int) string {
	if n > 3 && len(s) > n {
		return s[:n-1] + "…"
	}
	return s
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func format(unit string, v float64) string {
	if !finite(v) {
		return "–"
	}
	switch unit {
	case "percentunit":
		return fmt.Sprintf("%.0f%%", v*100)
	case "s":
		switch {
		case v >= 86400:
			return fmt.Sprintf("%.1f d", v/86400)
		case v >= 3600:
			return fmt.Sprintf("%.1f h", v/3600)
		case v >= 60:
			return fmt.Sprintf("%.1f min", v/60)
		case v >= 1 || v == 0:
			return fmt.Sprintf("%.2g s", v)
		default:
			return fmt.Sprintf("%.0f ms", v*1000)
		}
	case "bytes":
		switch {
		case v >= 1<<30:
			return fmt.Sprintf("%.1f GiB", v/(1<<30))
		case v >= 1<<20:
			return fmt.Sprintf("%.1f MiB", v/(1<<20))
		default:
			return fmt.Sprintf("%.0f KiB", v/(1<<10))
		}
	case "reqps":
		return fmt.Sprintf("%.3g/s", v)
	}
	if (v == math.Trunc(v) || math.Abs(v) >= 100) && math.Abs(v) < 1e9 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

func noData(c *canvas, x, y, w, h float64) {
	c.f(`<text x="%.1f" y="%.1f" font-size="14" fill="%s" text-anchor="middle">No data</text>`, x+w/2, y+h/2, muted)
}

func drawStat(c *canvas, p panel, s []series, x, y, w, h float64) {
	if len(s) == 0 {
		noData(c, x, y, w, h)
		return
	}
	color := palette[0]
	if !finite(s[0].Value) {
		color = muted
	}
	c.f(`<text x="%.1f" y="%.1f" font-size="%.0f" font-weight="bold" fill="%s" text-anchor="middle">%s</text>`,
		x+w/2, y+h/2+14, math.Min(44, h*0.6), color, esc(format(p.FieldConfig.Defaults.Unit, s[0].Value)))
}

func drawTimeseries(c *canvas, p panel, s []series, x, y, w, h float64, start, end time.Time) {
	legendRows := (len(s) + 2) / 3
	if legendRows > 4 {
		legendRows = 4
	}
	plotH := h - float64(legendRows)*15 - 18
	if len(s) == 0 || plotH < 20 {
		noData(c, x, y, w, h)
		return
	}
	stacked := p.FieldConfig.Defaults.Custom.Stacking != nil && p.FieldConfig.Defaults.Custom.Stacking.Mode == "normal"
	// Stack on a common time grid (range queries share their steps).
	values := make([]map[float64]float64, len(s))
	var times []float64
	seen := map[float64]bool{}
	for i, sr := range s {
		values[i] = map[float64]float64{}
		for _, pt := range sr.Points {
			values[i][pt[0]] = pt[1]
			if !seen[pt[0]] {
				seen[pt[0]] = true
				times = append(times, pt[0])
			}
		}
	}
	sort.Float64s(times)
	if stacked {
		for _, t := range times {
			acc := 0.0
			for i := range s {
				if v, ok := values[i][t]; ok && finite(v) {
					acc += v
					values[i][t] = acc
				}
			}
		}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range s {
		for _, v := range values[i] {
			if finite(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if d := p.FieldConfig.Defaults; d.Min != nil {
		lo = *d.Min
	}
	if d := p.FieldConfig.Defaults; d.Max != nil {
		hi = *d.Max
	}
	if !finite(lo) || !finite(hi) {
		noData(c, x, y, w, h)
		return
	}
	if hi <= lo {
		hi = lo + 1
	}
	axisW := 64.0
	px, pw := x+axisW, w-axisW
	t0, t1 := float64(start.Unix()), float64(end.Unix())
	X := func(t float64) float64 { return px + (t-t0)/(t1-t0)*pw }
	Y := func(v float64) float64 { return y + plotH - (v-lo)/(hi-lo)*plotH }
	unit := p.FieldConfig.Defaults.Unit
	for k := 0; k <= 4; k++ {
		v := lo + (hi-lo)*float64(k)/4
		c.f(`<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s" stroke-width="1"/>`, px, px+pw, Y(v), Y(v), border)
		c.f(`<text x="%.1f" y="%.1f" font-size="10" fill="%s" text-anchor="end">%s</text>`, px-6, Y(v)+3, muted, esc(format(unit, v)))
	}
	for k := 0; k <= 4; k++ {
		t := t0 + (t1-t0)*float64(k)/4
		c.f(`<text x="%.1f" y="%.1f" font-size="10" fill="%s" text-anchor="middle">%s</text>`, X(t), y+plotH+13, muted, time.Unix(int64(t), 0).UTC().Format("15:04:05"))
	}
	for i := range s {
		var pts []string
		for _, t := range times {
			if v, ok := values[i][t]; ok && finite(v) {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", X(t), Y(math.Max(lo, math.Min(hi, v)))))
			}
		}
		color := palette[i%len(palette)]
		if len(pts) == 1 {
			pts = append(pts, pts[0])
		}
		if len(pts) > 0 {
			c.f(`<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`, strings.Join(pts, " "), color)
		}
	}
	colW := w / 3
	for i, sr := range s {
		if i >= legendRows*3 {
			c.f(`<text x="%.1f" y="%.1f" font-size="10" fill="%s">+%d more</text>`, x+2*colW, y+plotH+22+float64(legendRows)*15, muted, len(s)-i)
			break
		}
		lx, ly := x+float64(i%3)*colW, y+plotH+30+float64(i/3)*15
		c.f(`<rect x="%.1f" y="%.1f" width="10" height="3" fill="%s"/>`, lx, ly-4, palette[i%len(palette)])
		c.f(`<text x="%.1f" y="%.1f" font-size="11" fill="%s">%s</text>`, lx+14, ly, text, esc(clip(sr.Name, int(colW/6.5))))
	}
}

func drawBars(c *canvas, p panel, s []series, x, y, w, h float64) {
	if len(s) == 0 {
		noData(c, x, y, w, h)
		return
	}
	hi := 0.0
	for _, sr := range s {
		if finite(sr.Value) {
			hi = math.Max(hi, sr.Value)
		}
	}
	if m := p.FieldConfig.Defaults.Max; m != nil {
		hi = *m
	}
	if hi <= 0 {
		hi = 1
	}
	rowH := math.Min(34, h/float64(len(s)))
	labelW := math.Min(220, w*0.4)
	for i, sr := range s {
		ry := y + float64(i)*rowH
		c.f(`<text x="%.1f" y="%.1f" font-size="%.0f" fill="%s">%s</text>`, x, ry+rowH*0.65, math.Min(12, rowH*0.7), text, esc(clip(sr.Name, int(labelW/6.5))))
		bw := w - labelW - 70
		c.f(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, x+labelW, ry+rowH*0.15, bw, rowH*0.7, border)
		if finite(sr.Value) {
			c.f(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, x+labelW, ry+rowH*0.15, bw*math.Max(0, math.Min(1, sr.Value/hi)), rowH*0.7, palette[i%len(palette)])
		}
		c.f(`<text x="%.1f" y="%.1f" font-size="%.0f" fill="%s" text-anchor="end">%s</text>`, x+w, ry+rowH*0.65, math.Min(12, rowH*0.7), text, esc(format(p.FieldConfig.Defaults.Unit, sr.Value)))
	}
}

func drawPie(c *canvas, p panel, s []series, x, y, w, h float64) {
	total := 0.0
	for _, sr := range s {
		if finite(sr.Value) && sr.Value > 0 {
			total += sr.Value
		}
	}
	if total == 0 {
		noData(c, x, y, w, h)
		return
	}
	r := math.Min(h, w*0.5) / 2 * 0.95
	cx, cy := x+r+4, y+h/2
	a := -math.Pi / 2
	for i, sr := range s {
		if !finite(sr.Value) || sr.Value <= 0 {
			continue
		}
		da := sr.Value / total * 2 * math.Pi
		large := 0
		if da > math.Pi {
			large = 1
		}
		x1, y1 := cx+r*math.Cos(a), cy+r*math.Sin(a)
		x2, y2 := cx+r*math.Cos(a+da), cy+r*math.Sin(a+da)
		c.f(`<path d="M%.1f,%.1f L%.1f,%.1f A%.1f,%.1f 0 %d 1 %.1f,%.1f Z" fill="%s" stroke="%s"/>`, cx, cy, x1, y1, r, r, large, x2, y2, palette[i%len(palette)], panelBg)
		a += da
	}
	c.f(`<circle cx="%.1f" cy="%.1f" r="%.1f" fill="%s"/>`, cx, cy, r*0.55, panelBg)
	lx := cx + r + 16
	for i, sr := range s {
		ly := y + 14 + float64(i)*16
		c.f(`<rect x="%.1f" y="%.1f" width="10" height="10" fill="%s"/>`, lx, ly-9, palette[i%len(palette)])
		c.f(`<text x="%.1f" y="%.1f" font-size="11" fill="%s">%s  %s (%.0f%%)</text>`, lx+14, ly, text, esc(sr.Name), esc(format("short", sr.Value)), sr.Value/total*100)
	}
}
