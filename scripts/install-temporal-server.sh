#!/usr/bin/env bash
# Installs the real Temporal server (frontend, history, matching and worker services in one binary)
# and its SQL schema tool into .tools/temporal-server, built from the Go module proxy, plus the
# PostgreSQL schema directories the module ships. Used by
# TEMPORAL_TOPOLOGY=cluster (src/dev/cluster-temporal-server.ts). Idempotent: quick when the pinned
# version is already installed. The first build takes minutes (about 200 s on 2 idle cores).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/temporal-versions.sh
. scripts/temporal-versions.sh

DEST=.tools/temporal-server
STAMP="$DEST/.installed-version"
WANT="go.temporal.io/server@v$TEMPORAL_SERVER_VERSION"

if [ -x "$DEST/bin/temporal-server" ] && [ -x "$DEST/bin/temporal-sql-tool" ] \
    && [ -d "$DEST/schema/postgresql/v12/temporal/versioned" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$WANT" ]; then
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "Go is not installed: the Temporal server ($WANT) is built from its Go module." >&2
  echo "Install Go 1.21 or newer (GOTOOLCHAIN=$TEMPORAL_SERVER_GOTOOLCHAIN then fetches the right toolchain) and run this again." >&2
  exit 1
fi

export GOTOOLCHAIN="$TEMPORAL_SERVER_GOTOOLCHAIN"
BUILD_BIN="$PWD/$DEST/build-bin"
mkdir -p "$DEST/bin" "$BUILD_BIN"
echo "Building the Temporal server $WANT with $GOTOOLCHAIN into $DEST (takes minutes the first time) ..."
start=$(date +%s)
GOBIN="$BUILD_BIN" go install "go.temporal.io/server/cmd/server@v$TEMPORAL_SERVER_VERSION"
GOBIN="$BUILD_BIN" go install "go.temporal.io/server/cmd/tools/sql@v$TEMPORAL_SERVER_VERSION"
mv -f "$BUILD_BIN/server" "$DEST/bin/temporal-server"
mv -f "$BUILD_BIN/sql" "$DEST/bin/temporal-sql-tool"
rmdir "$BUILD_BIN" 2>/dev/null || true

# The schema lives in the module cache; copy it next to the binaries so the launcher does not need
# to know where Go keeps its modules.
MODULE_DIR="$(go env GOMODCACHE)/go.temporal.io/server@v$TEMPORAL_SERVER_VERSION"
rm -rf "$DEST/schema" "$DEST/config"
mkdir -p "$DEST/schema/postgresql"
cp -r "$MODULE_DIR/schema/postgresql/v12" "$DEST/schema/postgresql/"
chmod -R u+w "$DEST/schema"

echo "$WANT" > "$STAMP"
echo "Installed $WANT into $DEST in $(( $(date +%s) - start )) s."
