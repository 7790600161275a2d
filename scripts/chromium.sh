#!/usr/bin/env bash
# Makes sure the console's browser tests have a Chromium: Debian's `chromium` package at
# /usr/bin/chromium (or the one CHROMIUM_PATH names). Installs it with apt-get when it is missing;
# fails with a clear message where that is not possible.
set -uo pipefail
path="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$path" ] && exit 0
if [ -n "${CHROMIUM_PATH:-}" ]; then
  echo "chromium: CHROMIUM_PATH=$path is not an executable" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium: the console's browser tests need Chromium; install it, or set CHROMIUM_PATH to one" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "chromium: installing Chromium needs root (apt-get install chromium); install it, or set CHROMIUM_PATH" >&2
    exit 1
  fi
fi
echo "chromium: installing Debian's chromium for the console's browser tests (apt-get, about 20 s)…"
log="$(mktemp)"
if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium; } >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  echo "chromium: apt-get could not install chromium (see above); install it, or set CHROMIUM_PATH" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
[ -x "$path" ] || { echo "chromium: installed, but there is no $path; set CHROMIUM_PATH" >&2; exit 1; }
echo "chromium: $("$path" --version 2>/dev/null | head -n 1)"
