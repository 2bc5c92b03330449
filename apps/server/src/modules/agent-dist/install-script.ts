/*
 * The POSIX sh installer served at /api/v1/agent-dist/install.sh. It downloads only from the
 * panel given with --server, checks sha256 against the panel's manifest.json, installs the
 * agent into $PREFIX/bin, enrolls with the one-time token and installs the systemd unit.
 * Every download (manifest, agent build) goes over the same trust as the enroll call: https
 * with --pin (curl's public-key pin, from the panel's one-liner) or --ca, else the system's
 * CAs; plain http only to loopback or with an explicit --allow-insecure, which warns.
 * Static text: nothing from the request is templated into it. (No dollar-brace in here:
 * this is a JS template literal.)
 */
export const INSTALL_SH = String.raw`#!/bin/sh
# Keepwatch agent installer (served by your Keepwatch panel). The panel's "Add an agent" gives:
#   curl -fsSL --proto =https -k --pinnedpubkey sha256//PIN https://PANEL/api/v1/agent-dist/install.sh \
#     | sudo sh -s -- --server https://PANEL --token TOKEN --pin sha256//PIN --fingerprint SHA256
set -eu

SERVER=""; TOKEN=""; PREFIX="/usr/local"; CONFIG="/etc/keepwatch/agent.json"; SERVICE=1
ENROLL_ARGS=""; PIN=""; CA=""; INSECURE=0

die() { echo "keepwatch install: $*" >&2; exit 1; }
usage() {
  echo "usage: install.sh --server URL --token TOKEN [--name NAME] [--cluster ID] [--role lb|backend]" >&2
  echo "       [--pin sha256//BASE64] [--fingerprint SHA256 | --ca FILE] [--allow-insecure] [--config FILE] [--state-dir DIR] [--prefix DIR] [--no-service]" >&2
  exit 2
}
add_arg() { ENROLL_ARGS="$ENROLL_ARGS $1 '$(printf %s "$2" | sed "s/'/'\\\\''/g")'"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --server) [ $# -ge 2 ] || usage; SERVER="$2"; shift 2 ;;
    --token) [ $# -ge 2 ] || usage; TOKEN="$2"; shift 2 ;;
    --name|--cluster|--role|--fingerprint|--state-dir) [ $# -ge 2 ] || usage; add_arg "$1" "$2"; shift 2 ;;
    --ca) [ $# -ge 2 ] || usage; CA="$2"; add_arg "$1" "$2"; shift 2 ;;
    --pin) [ $# -ge 2 ] || usage; PIN="$2"; shift 2 ;;
    --config) [ $# -ge 2 ] || usage; CONFIG="$2"; shift 2 ;;
    --prefix) [ $# -ge 2 ] || usage; PREFIX="$2"; shift 2 ;;
    --allow-insecure) INSECURE=1; ENROLL_ARGS="$ENROLL_ARGS --allow-insecure"; shift ;;
    --no-service) SERVICE=0; shift ;;
    *) usage ;;
  esac
done
[ -n "$SERVER" ] && [ -n "$TOKEN" ] || usage
[ "$(id -u)" = 0 ] || die "run as root (sudo sh -s -- ...)"

SERVER="$(printf %s "$SERVER" | sed 's:/*$::')"
BASE="$SERVER/api/v1/agent-dist"

# The transport decides whether what is downloaded is the panel's: https (pinned, or a CA),
# plain http only where nobody is on the path (loopback) or when the admin says so.
[ -z "$PIN" ] || [ -z "$CA" ] || die "give --pin or --ca, not both"
case "$SERVER" in
  https://*) PROTO="=https" ;;
  http://localhost|http://localhost:*|http://127.*|http://\[::1\]*) PROTO="=http,https" ;;
  http://*)
    [ "$INSECURE" = 1 ] || die "refusing plain http to $SERVER: the token, the agent and its credential would cross the network unprotected. Serve the panel over https (KEEPWATCH_TLS_CERT/KEEPWATCH_TLS_KEY, or a reverse proxy) and copy the https one-liner, or add --allow-insecure to accept that risk (a lab)"
    echo "keepwatch install: WARNING: plain http to $SERVER (--allow-insecure): anyone on the path can read the enrollment token and swap the agent" >&2
    PROTO="=http,https" ;;
  *) die "--server must be an https:// URL (or http:// with --allow-insecure), got $SERVER" ;;
esac
case "$SERVER" in https://*) ;; *) [ -z "$PIN$CA" ] || die "--pin and --ca need an https:// --server" ;; esac
[ -z "$CA" ] || [ -r "$CA" ] || die "cannot read the CA file $CA"

fetch() {
  if command -v curl >/dev/null 2>&1; then
    # -k with --pinnedpubkey: the pin replaces the CA check (a self-signed panel), it is still
    # enforced on every connection; redirects never leave the protocol allowed above.
    if [ -n "$PIN" ]; then curl -fsSL --proto "$PROTO" --proto-redir "$PROTO" -k --pinnedpubkey "$PIN" "$1" -o "$2"
    elif [ -n "$CA" ]; then curl -fsSL --proto "$PROTO" --proto-redir "$PROTO" --cacert "$CA" "$1" -o "$2"
    else curl -fsSL --proto "$PROTO" --proto-redir "$PROTO" "$1" -o "$2"; fi
  elif command -v wget >/dev/null 2>&1; then
    [ -z "$PIN" ] || die "a pinned download (--pin) needs curl: install curl, or use --ca FILE"
    if [ -n "$CA" ]; then wget -qO "$2" --ca-certificate="$CA" "$1"; else wget -qO "$2" "$1"; fi
  else die "need curl or wget"; fi
}
sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then shasum -a 256 "$1" | cut -d' ' -f1
  else die "need sha256sum or shasum"; fi
}
# manifest.json holds one file object per line, so plain sed can read it.
manifest_sha() { grep "\"name\":\"$1\"" "$TMP/manifest.json" | sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p' | head -n 1; }

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT INT TERM
fetch "$BASE/manifest.json" "$TMP/manifest.json" || die "cannot download $BASE/manifest.json"

ARCH="$(uname -m)"
FILE=""
# The bundle under a Node >= 20 already on the host costs less than the single executable
# (apps/agent/README.md: 58 MB vs 62-70 MB RSS, less idle CPU): prefer it where it runs.
NODE_BIN="$(command -v node 2>/dev/null || true)"
NODE_MAJOR=0
[ -n "$NODE_BIN" ] && NODE_MAJOR="$("$NODE_BIN" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$NODE_MAJOR" -ge 20 ] 2>/dev/null && [ -n "$(manifest_sha keepwatch-agent.mjs)" ]; then
  FILE="keepwatch-agent.mjs"
elif [ "$ARCH" = x86_64 ] || [ "$ARCH" = amd64 ]; then
  [ -n "$(manifest_sha keepwatch-agent)" ] && FILE="keepwatch-agent"
fi
if [ -z "$FILE" ]; then
  [ -n "$NODE_BIN" ] || die "no keepwatch-agent build for $ARCH on the panel, and node (>= 20) is not installed"
  [ "$NODE_MAJOR" -ge 20 ] 2>/dev/null || die "node $NODE_MAJOR is too old for the agent bundle: install Node >= 20"
  die "the panel has no agent build: run pnpm --filter @keepwatch/agent build on the panel"
fi

WANT="$(manifest_sha "$FILE")"
fetch "$BASE/$FILE" "$TMP/$FILE" || die "cannot download $BASE/$FILE"
GOT="$(sha256_of "$TMP/$FILE")"
[ "$GOT" = "$WANT" ] || die "sha256 mismatch for $FILE: manifest says $WANT, downloaded $GOT"
echo "keepwatch install: $FILE sha256 $GOT verified"

mkdir -p "$PREFIX/bin"
if [ "$FILE" = keepwatch-agent ]; then
  install -m 0755 "$TMP/$FILE" "$PREFIX/bin/keepwatch-agent"
else
  mkdir -p "$PREFIX/lib/keepwatch-agent"
  install -m 0644 "$TMP/$FILE" "$PREFIX/lib/keepwatch-agent/keepwatch-agent.mjs"
  # The node found now, by its full path: systemd's PATH may not have it.
  printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$NODE_BIN" "$PREFIX/lib/keepwatch-agent/keepwatch-agent.mjs" > "$PREFIX/bin/keepwatch-agent"
  chmod 0755 "$PREFIX/bin/keepwatch-agent"
fi
echo "keepwatch install: installed $PREFIX/bin/keepwatch-agent"

eval "set -- $ENROLL_ARGS"
"$PREFIX/bin/keepwatch-agent" enroll --server "$SERVER" --token "$TOKEN" --config "$CONFIG" "$@"
if [ "$SERVICE" = 1 ]; then
  "$PREFIX/bin/keepwatch-agent" install --config "$CONFIG" --binary "$PREFIX/bin/keepwatch-agent"
fi
echo "keepwatch install: done"
`;
