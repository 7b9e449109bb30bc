package deploy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestComposeStackIsWiredTogether checks deploy/compose.yaml without Docker:
// every mounted file exists, Prometheus scrapes the ownershipbot service,
// Grafana's datasource reaches the Prometheus service and its dashboard
// provider reads where the dashboards are mounted.
func TestComposeStackIsWiredTogether(t *testing.T) {
	var c struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			Volumes     []string          `yaml:"volumes"`
			Ports       []string          `yaml:"ports"`
			ReadOnly    bool              `yaml:"read_only"`
			User        string            `yaml:"user"`
			CapDrop     []string          `yaml:"cap_drop"`
			Build       struct {
				Context    string `yaml:"context"`
				Dockerfile string `yaml:"dockerfile"`
			} `yaml:"build"`
		} `yaml:"services"`
	}
	readYAML(t, "compose.yaml", &c)
	for _, name := range []string{"ownershipbot", "prometheus", "grafana"} {
		if _, ok := c.Services[name]; !ok {
			t.Fatalf("compose.yaml has no %s service", name)
		}
	}
	mounts := map[string]string{} // container path -> host path, per service "svc:path"
	for name, s := range c.Services {
		for _, v := range s.Volumes {
			parts := strings.Split(v, ":")
			if strings.HasPrefix(parts[0], ".") {
				if _, err := os.Stat(parts[0]); err != nil {
					t.Errorf("%s mounts %s, which does not exist", name, parts[0])
				}
			}
			if len(parts) > 1 {
				mounts[name+":"+parts[1]] = parts[0]
			}
		}
		for _, p := range s.Ports {
			if !strings.HasPrefix(p, "127.0.0.1:") {
				t.Errorf("%s publishes %s beyond loopback", name, p)
			}
		}
		if strings.HasSuffix(s.Image, ":latest") {
			t.Errorf("%s uses a floating :latest image", name)
		}
	}
	bot := c.Services["ownershipbot"]
	if bot.Build.Dockerfile != "deploy/Dockerfile" || filepath.Clean(bot.Build.Context) != ".." {
		t.Errorf("ownershipbot must build from deploy/Dockerfile at the repository root")
	}
	if !bot.ReadOnly || bot.User != "65532:65532" || len(bot.CapDrop) != 1 || bot.CapDrop[0] != "ALL" {
		t.Errorf("ownershipbot must run read-only, as 65532, without capabilities")
	}
	if bot.Environment["LISTEN_ADDR"] != ":8080" || !strings.HasPrefix(bot.Environment["DATABASE_URL"], "sqlite:/data/") || mounts["ownershipbot:/data"] == "" {
		t.Errorf("ownershipbot must listen on :8080 with its SQLite file on the /data volume")
	}

	// Prometheus: its config is the mounted directory, scraping ownershipbot:8080.
	if mounts["prometheus:/etc/prometheus"] != "./prometheus" {
		t.Errorf("Prometheus must mount ./prometheus at /etc/prometheus")
	}
	var prom struct {
		RuleFiles     []string `yaml:"rule_files"`
		ScrapeConfigs []struct {
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	readYAML(t, "prometheus/prometheus.yml", &prom)
	found := false
	for _, sc := range prom.ScrapeConfigs {
		for _, st := range sc.StaticConfigs {
			for _, target := range st.Targets {
				found = found || target == "ownershipbot:8080"
			}
		}
	}
	if !found {
		t.Errorf("prometheus.yml does not scrape ownershipbot:8080")
	}

	// Grafana: datasource and dashboards.
	var dsFile struct {
		Datasources []struct {
			Type string `yaml:"type"`
			URL  string `yaml:"url"`
		} `yaml:"datasources"`
	}
	readYAML(t, "grafana/provisioning/datasources/prometheus.yml", &dsFile)
	if len(dsFile.Datasources) != 1 || dsFile.Datasources[0].Type != "prometheus" || dsFile.Datasources[0].URL != "http://prometheus:9090" {
		t.Errorf("Grafana's datasource must be the prometheus service: %+v", dsFile.Datasources)
	}
	var providers struct {
		Providers []struct {
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	readYAML(t, "grafana/provisioning/dashboards/ownershipbot.yml", &providers)
	if mounts["grafana:/etc/grafana/provisioning"] != "./grafana/provisioning" {
		t.Errorf("Grafana must mount ./grafana/provisioning at /etc/grafana/provisioning")
	}
	if len(providers.Providers) != 1 || mounts["grafana:"+providers.Providers[0].Options.Path] != "./grafana/dashboards" {
		t.Errorf("the dashboard provider reads %+v, where ./grafana/dashboards is not mounted", providers.Providers)
	}
}
