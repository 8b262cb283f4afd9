#!/bin/sh
# Makes the workspace ready: pnpm 10.34.8 on PATH (installed into .tools/ with npm when missing, no root needed)
# and dependencies installed from the lockfile. Source it from the repository root so PATH carries over:
#   . ./scripts/bootstrap.sh
# Running it as a command (`sh scripts/bootstrap.sh`) installs too, but the PATH change ends with it.
# Every step checks its own result (a caller may source this where `set -e` is not in effect); on failure it
# returns (sourced) or exits (run) with status 1.

RUNNEL_PNPM_VERSION="10.34.8"

runnel_bootstrap() {
  if [ ! -f pnpm-workspace.yaml ]; then
    echo "bootstrap: run from the repository root (no pnpm-workspace.yaml in $(pwd))" >&2
    return 1
  fi

  export TURBO_TELEMETRY_DISABLED=1
  export NEXT_TELEMETRY_DISABLED=1

  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "bootstrap: Node.js 20.9 or newer with npm is required (https://nodejs.org)" >&2
    return 1
  fi
  if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 9) ? 0 : 1)'; then
    echo "bootstrap: Node.js 20.9 or newer is required (found $(node --version))" >&2
    return 1
  fi

  if [ "$(pnpm --version 2>/dev/null || true)" != "$RUNNEL_PNPM_VERSION" ]; then
    runnel_tools_bin="$(pwd)/.tools/node_modules/.bin"
    if [ "$("$runnel_tools_bin/pnpm" --version 2>/dev/null || true)" != "$RUNNEL_PNPM_VERSION" ]; then
      echo "bootstrap: installing pnpm $RUNNEL_PNPM_VERSION into .tools/ (npm)"
      npm install --prefix .tools --no-audit --no-fund --loglevel=error "pnpm@$RUNNEL_PNPM_VERSION" || return 1
    fi
    PATH="$runnel_tools_bin:$PATH"
    export PATH
    if [ "$(pnpm --version 2>/dev/null || true)" != "$RUNNEL_PNPM_VERSION" ]; then
      echo "bootstrap: pnpm $RUNNEL_PNPM_VERSION is still not first on PATH" >&2
      return 1
    fi
  fi

  # Skip the install when nothing it depends on changed since the last successful one.
  runnel_stamp="node_modules/.runnel-install-stamp"
  runnel_hash="$(runnel_install_inputs | sha256sum | cut -d ' ' -f 1)" || return 1
  if [ -f "$runnel_stamp" ] && [ "$(cat "$runnel_stamp")" = "$runnel_hash" ]; then
    echo "bootstrap: pnpm $RUNNEL_PNPM_VERSION; dependencies are up to date"
    return 0
  fi
  echo "bootstrap: pnpm install --frozen-lockfile"
  pnpm install --frozen-lockfile --config.confirmModulesPurge=false || return 1
  printf '%s\n' "$runnel_hash" >"$runnel_stamp" || return 1
}

# What the install depends on: the tool versions and every manifest and the lockfile.
runnel_install_inputs() {
  node --version
  pnpm --version
  find . -name node_modules -prune -o -name .tools -prune -o -name .next -prune -o -name .git -prune -o \
    \( -name package.json -o -name pnpm-lock.yaml -o -name pnpm-workspace.yaml \) -type f -print |
    LC_ALL=C sort | xargs sha256sum
}

if ! runnel_bootstrap; then
  echo "bootstrap: FAILED (see above)" >&2
  # `return` ends a sourced script; run as a command, `return` is an error and `exit` ends it.
  # shellcheck disable=SC2317
  return 1 2>/dev/null || exit 1
fi
