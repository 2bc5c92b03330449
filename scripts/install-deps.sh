#!/usr/bin/env bash
# Debian packages Keepwatch's lab, tests and demo need. Idempotent; root only.
set -euo pipefail
pkgs=(keepalived nginx-light tomcat10 chromium iproute2 nftables curl procps systemd openssl ca-certificates fonts-wqy-microhei postgresql docker-compose)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then echo "Debian packages: all present"; exit 0; fi
if [ "$(id -u)" -ne 0 ]; then echo "missing Debian packages: ${missing[*]} (run as root to install)" >&2; exit 1; fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/keepwatch-apt.log 2>&1 \
  || { tail -40 /tmp/keepwatch-apt.log >&2; exit 1; }
# The distribution services must not run: the lab starts its own instances in namespaces, and
# the PostgreSQL tests make throwaway clusters (apps/server/src/storage/pg-harness.ts).
for s in nginx keepalived tomcat10 postgresql; do
  if [ -x "/etc/init.d/$s" ]; then "/etc/init.d/$s" stop >/dev/null 2>&1 || true; fi
done
echo "Debian packages installed"
