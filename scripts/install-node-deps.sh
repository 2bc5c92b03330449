#!/usr/bin/env bash
# pnpm (exact version pinned in package.json; corepack cannot fetch it here) and the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
want=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm -v 2>/dev/null || true)" != "$want" ]; then
  echo "installing pnpm@$want with npm"
  npm i -g "pnpm@$want" --no-fund --no-audit >/dev/null
fi
pnpm install --frozen-lockfile
