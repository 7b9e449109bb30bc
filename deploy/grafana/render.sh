#!/usr/bin/env bash
# Renders each Grafana dashboard's panels from real Prometheus query results
# into docs/img/dashboard-*.png, for the README (no Grafana needed):
# starts a Prometheus (with deploy/prometheus/rules) scraping `ownershipbot demo`
# on loopback, lets it collect, asks every panel's queries, draws them.
# Rerun it whenever the dashboards or the demo change.
set -euo pipefail
cd "$(dirname "$0")/../.."

need() {
  command -v "$1" >/dev/null 2>&1 && return
  echo "==> installing $2 from Debian's packages for $1" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "$2" >/dev/null
}
need prometheus prometheus
need rsvg-convert librsvg2-bin

go run ./deploy/grafana/render -out docs/img "$@"
