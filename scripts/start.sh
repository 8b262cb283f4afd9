#!/bin/sh
# `npm start`: installs what is missing, builds the web app and starts Runnel on the embedded default
# (PGlite in RUNNEL_DATA_DIR, default .runnel/data) at http://localhost:3000 (PORT to change it).
set -eu
cd "$(dirname "$0")/.."
. ./scripts/bootstrap.sh

echo "==> Building the web app (next build)"
pnpm --filter @runnel/web build

echo "==> Starting Runnel at http://localhost:${PORT:-3000}"
exec pnpm --filter @runnel/web start
