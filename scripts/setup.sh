#!/usr/bin/env bash
# Brings a fresh machine (Node >= 20 and npm only) up to what Firetower's scripts need.
#   bash scripts/setup.sh            pnpm and the workspace's packages
#   bash scripts/setup.sh --system   also Chromium and redis-server from Debian (for the tests)
# Safe to run again: every step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  log "Node >= 20 is required (found $(node --version))"; exit 1
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version | cut -d. -f1)" != "10" ]; then
  log "installing pnpm 10 with npm"
  npm install --global --silent pnpm@10 >&2
fi

if [ "${1:-}" = "--system" ]; then
  missing=()
  command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    log "installing ${missing[*]} from Debian"
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
  fi
fi

if [ -n "${CI:-}" ]; then
  pnpm install --frozen-lockfile --reporter=silent >&2
else
  pnpm install --reporter=silent >&2
fi
