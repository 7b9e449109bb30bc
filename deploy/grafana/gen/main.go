// Command gen writes ownershipbot's Grafana dashboards as JSON files for
// provisioning. Run it with `go generate ./deploy/grafana`.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ownershipbot/ownershipbot/deploy/grafana"
)

func main() {
	dir := flag.String("dir", "dashboards", "directory to write the dashboard JSON files to")
	flag.Parse()
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		os.Exit(1)
	}
	for _, f := range grafana.Files() {
		b, err := grafana.Marshal(f.Dashboard)
		if err == nil {
			err = os.WriteFile(filepath.Join(*dir, f.Name), b, 0o644)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "gen: %s: %v\n", f.Name, err)
			os.Exit(1)
		}
	}
}
