// Package deps pins the modules the project builds on until code imports
// them all; delete it once every one is used elsewhere.
package deps

import (
	_ "github.com/bradleyfalzon/ghinstallation/v2"
	_ "github.com/google/go-github/v66/github"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "go.yaml.in/yaml/v3"
	_ "k8s.io/api/apps/v1"
	_ "modernc.org/sqlite"
	_ "sigs.k8s.io/yaml"
)
