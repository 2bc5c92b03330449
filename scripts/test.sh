#!/usr/bin/env bash
# The README's test command. On a fresh Debian 12 machine with Node 20, as root:
# installs what the tests need, then typechecks, lints, builds the web app (the browser
# tests load it) and runs every test: unit tests and the lab tests (real keepalived, nginx
# and Tomcat in network namespaces, Chromium driving the dashboard).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/install-node-deps.sh
export NO_COLOR=1
pnpm typecheck
pnpm lint
pnpm format:check
# docker-compose.yml, offline (no Docker engine here): dclint exits 1 on an invalid file, and
# so does `config` (interpolation, schema, anchors) of the compose plugin where one exists,
# else of Debian's docker-compose (install-deps.sh installs it).
pnpm compose:lint
if docker compose version >/dev/null 2>&1; then docker compose config --quiet
else docker-compose config --quiet; fi
pnpm --filter @keepwatch/web build
pnpm test
