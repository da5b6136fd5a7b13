#!/usr/bin/env bash
# Headless Chromium for the browser test of the Meta OAuth callback page (test/browser/). Debian's
# `chromium` package: puppeteer's own browser download is not reachable from our build machines.
# Idempotent: does nothing when a chromium binary is already there (CHROMIUM_PATH, or on PATH).
set -euo pipefail

existing="${CHROMIUM_PATH:-$(command -v chromium || command -v chromium-browser || true)}"
if [ -n "$existing" ] && [ -x "$existing" ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: no apt-get on this machine; install Chromium and set CHROMIUM_PATH" >&2
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo_cmd=(sudo -n)
  else
    echo "install-chromium: not root and no passwordless sudo; install Debian's chromium package yourself" >&2
    exit 0
  fi
fi

echo "install-chromium: installing Debian's chromium package (once)"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium
