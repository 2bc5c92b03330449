#!/usr/bin/env bash
# The README's demo command: installs what the demo needs, then runs `pnpm demo`
# (lab + server + agents + dashboard) until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/install-node-deps.sh
exec pnpm demo "$@"
