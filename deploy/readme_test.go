package deploy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeShowsEveryDashboard checks that deploy/README.md shows a
// rendering of each dashboard and that the image exists (rerun
// deploy/grafana/render.sh after adding a dashboard).
func TestReadmeShowsEveryDashboard(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("grafana/dashboards/*.json")
	for _, f := range files {
		img := "docs/img/dashboard-" + strings.TrimSuffix(filepath.Base(f), ".json") + ".png"
		if !strings.Contains(string(readme), "](../"+img+")") {
			t.Errorf("README.md does not show %s", img)
		}
		if st, err := os.Stat(filepath.Join("..", img)); err != nil || st.Size() == 0 {
			t.Errorf("%s is missing; run deploy/grafana/render.sh", img)
		}
	}
	for _, heading := range []string{"## Install on your org", "## Run in Kubernetes", "## Dashboards"} {
		if !strings.Contains(string(readme), "\n"+heading+"\n") {
			t.Errorf("README.md lacks the section %q", heading)
		}
	}
}
