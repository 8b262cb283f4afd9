#!/bin/sh
# `npm test`: every test of the project. Unit and integration tests of every package (on PGlite), the web
# production build, then the Playwright end-to-end journeys in Debian's Chromium. Every phase runs even when
# an earlier one failed (the end-to-end phase needs the build); the exit status is non-zero if any failed.
set -eu
cd "$(dirname "$0")/.."
. ./scripts/bootstrap.sh

failed=""
banner() {
  printf '\n==================== %s ====================\n' "$1"
}
# run_phase <name> <command...>: runs a phase, prints its time, remembers a failure.
run_phase() {
  name="$1"
  shift
  banner "$name"
  started="$(date +%s)"
  if "$@"; then
    echo "==> $name: passed in $(($(date +%s) - started)) s"
    return 0
  fi
  echo "==> $name: FAILED after $(($(date +%s) - started)) s" >&2
  failed="$failed
  - $name"
  return 1
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then
    echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "The end-to-end tests need Debian's Chromium at /usr/bin/chromium. Install it, then run npm test again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium" >&2
    return 1
  fi
  apt-get -o DPkg::Lock::Timeout=600 update -q || return 1
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends chromium
}

chromium_ok=yes
run_phase "Chromium for the end-to-end tests" ensure_chromium || chromium_ok=no
# The e2e package's own `test` needs the production build: it runs in the last phase instead.
run_phase "Unit and integration tests (PGlite)" \
  pnpm turbo run test --filter='!@runnel/e2e' --continue --concurrency=2 || true
if ! run_phase "Web production build" pnpm --filter @runnel/web build; then
  failed="$failed
  - End-to-end tests (skipped: the build failed)"
elif [ "$chromium_ok" = no ]; then
  failed="$failed
  - End-to-end tests (skipped: no Chromium, see above)"
else
  run_phase "End-to-end tests (Playwright, Chromium)" pnpm test:e2e || true
fi

if [ -n "$failed" ]; then
  banner "npm test: FAILED"
  echo "Failed phases:$failed" >&2
  exit 1
fi
banner "npm test: all phases passed"
