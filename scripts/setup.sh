#!/usr/bin/env bash
# Installs what the project needs, only what is missing. Idempotent; safe to run on every `make`.
# `setup.sh build`: what building and serving the page needs. Chromium is then optional (only the tests need it):
# when it is missing and cannot be installed (not root), a warning says how, and the build goes on.
# SETUP_UID, SETUP_CHROMIUM and SETUP_APT stand in for `id -u`, /usr/bin/chromium and apt-get in
# tests/e2e/setup.test.mjs.
set -euo pipefail
MODE=${1:-all}
cd "$(dirname "$0")/.."
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml)
say() { printf '[setup] %s\n' "$*"; }

# 1. The wasm32 target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen-cli, the exact version of the pinned crate (without --locked: see README, Known limits).
if ! command -v wasm-bindgen >/dev/null || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ] \
   || ! command -v wasm-bindgen-test-runner >/dev/null; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# 3. Debian's Chromium and its driver.
if [ ! -x "${SETUP_CHROMIUM:-/usr/bin/chromium}" ] || [ ! -x /usr/bin/chromedriver ]; then
  if [ "${SETUP_UID:-$(id -u)}" != 0 ]; then
    if [ "$MODE" = build ]; then
      echo "[setup] warning: Chromium is missing (only the tests need it; installing it needs root): run 'sudo apt-get install chromium chromium-driver' before 'make test'." >&2
    else
      echo "[setup] Chromium is missing and installing it needs root: run 'sudo apt-get install chromium chromium-driver', then make again." >&2
      exit 1
    fi
  else
    say "installing chromium and chromium-driver (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    if [ "$MODE" = build ]; then
      # Building goes on without it: a machine without apt-get or a network still builds and serves the page.
      APT=${SETUP_APT:-apt-get}
      { command -v "$APT" >/dev/null && "$APT" update -qq && "$APT" install -y -qq chromium chromium-driver >/dev/null; } \
        || echo "[setup] warning: Chromium could not be installed (only the tests need it): install chromium and chromium-driver before 'make test'." >&2
    else
      apt-get update -qq
      apt-get install -y -qq chromium chromium-driver >/dev/null
    fi
  fi
fi

# 4. npm test tools from the committed lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm test tools (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
