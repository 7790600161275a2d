#!/usr/bin/env bash
# Makes Node 24 and the pinned pnpm available in ./.tools (idempotent), puts them first on PATH,
# and installs the workspace from the lockfile. Source it: `. scripts/toolchain.sh`.
NODE_VERSION=24
PNPM_VERSION=12.4.2
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
bin="$tools/node_modules/.bin"
want_node() { [ -x "$bin/node" ] && "$bin/node" --version 2>/dev/null | grep -q "^v$NODE_VERSION\."; }
want_pnpm() { [ -x "$bin/pnpm" ] && [ "$("$bin/pnpm" --version 2>/dev/null)" = "$PNPM_VERSION" ]; }
if ! want_node || ! want_pnpm; then
  echo "toolchain: installing node@$NODE_VERSION and pnpm@$PNPM_VERSION into .tools" >&2
  npm install --prefix "$tools" --no-audit --no-fund --loglevel=error "node@$NODE_VERSION" "pnpm@$PNPM_VERSION" >&2 || return 1 2>/dev/null || exit 1
fi
export PATH="$bin:$PATH"
