#!/bin/sh
# Installs pgvector into the local Debian PostgreSQL server when `CREATE EXTENSION vector` is not available.
# Debian 12 (bookworm) does not package pgvector, so it is built from Debian trixie's source package.
# Idempotent: returns at once when the extension files are already in place. Needs root (apt, make install).
# Usage: sh scripts/install-pgvector.sh            (PG_MAJOR=15 by default)
set -eu

PG_MAJOR="${PG_MAJOR:-15}"
PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config"
SHARE_DIR="/usr/share/postgresql/$PG_MAJOR"
LIB_DIR="/usr/lib/postgresql/$PG_MAJOR/lib"

if [ -f "$SHARE_DIR/extension/vector.control" ] && [ -f "$LIB_DIR/vector.so" ]; then
  echo "pgvector: already installed for PostgreSQL $PG_MAJOR"
  exit 0
fi

if [ ! -d "$SHARE_DIR" ]; then
  echo "pgvector: PostgreSQL $PG_MAJOR is not installed here ($SHARE_DIR is missing)." >&2
  echo "          Install the server first (apt-get install postgresql-$PG_MAJOR) or set PG_MAJOR." >&2
  exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "pgvector: building and installing needs root (apt-get and make install into $SHARE_DIR)." >&2
  echo "          Run: sudo sh scripts/install-pgvector.sh" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive

missing=""
for pkg in "postgresql-server-dev-$PG_MAJOR" build-essential dpkg-dev; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $pkg"
  fi
done
if [ -n "$missing" ]; then
  echo "pgvector: installing build dependencies:$missing"
  apt-get -o DPkg::Lock::Timeout=600 update -q
  # shellcheck disable=SC2086 # the package list is meant to split into words
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $missing
fi

# A throw-away apt configuration: one temporary deb-src line for trixie in its own sources file and its own
# package lists, so the system's sources and lists stay untouched. Removed on exit, also on failure.
work="$(mktemp -d /tmp/runnel-pgvector.XXXXXX)"
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/lists/partial" "$work/src"
cat >"$work/trixie-src.sources" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
# The files live in a root-only temporary folder, so apt's download sandbox user cannot reach them: run as root.
set -- \
  -o "APT::Sandbox::User=root" \
  -o "Dir::Etc::SourceList=/dev/null" \
  -o "Dir::Etc::SourceParts=$work/sources.d" \
  -o "Dir::State::Lists=$work/lists"
mkdir -p "$work/sources.d"
mv "$work/trixie-src.sources" "$work/sources.d/trixie-src.sources"

echo "pgvector: fetching the source package from Debian trixie"
apt-get "$@" update -qq
(cd "$work/src" && apt-get "$@" source -qq pgvector)

src_dir="$(find "$work/src" -mindepth 1 -maxdepth 1 -type d -name 'pgvector-*' | head -n 1)"
if [ -z "$src_dir" ]; then
  echo "pgvector: apt-get source did not unpack a pgvector-* folder in $work/src" >&2
  exit 1
fi

echo "pgvector: building $(basename "$src_dir") for PostgreSQL $PG_MAJOR"
# OPTFLAGS="" keeps the build portable (pgvector defaults to -march=native).
make -C "$src_dir" PG_CONFIG="$PG_CONFIG" OPTFLAGS="" >/dev/null
make -C "$src_dir" PG_CONFIG="$PG_CONFIG" OPTFLAGS="" install >/dev/null

if [ ! -f "$SHARE_DIR/extension/vector.control" ]; then
  echo "pgvector: make install finished but $SHARE_DIR/extension/vector.control is missing" >&2
  exit 1
fi
echo "pgvector: installed; run CREATE EXTENSION vector in each database that needs it"
