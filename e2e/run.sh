#!/usr/bin/env bash
# Runs the browser tests against a real server with demo data:
#   e2e/run.sh                      (uses target/release/candour)
#   CANDOUR_BIN=path/to/candour e2e/run.sh
# Installs Debian's Chromium (and Node.js, and pdftotext) if missing; never downloads a browser of its own.
# Then checks the API against its OpenAPI description (e2e/api-contract.sh).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
CANDOUR_BIN="${CANDOUR_BIN:-$ROOT/target/release/candour}"
CANDOUR_BIN="$(cd "$(dirname "$CANDOUR_BIN")" && pwd)/$(basename "$CANDOUR_BIN")"

if [ ! -x "$CANDOUR_BIN" ]; then
  echo "e2e: no candour binary at $CANDOUR_BIN (build it with: cargo build --release)" >&2
  exit 1
fi

MISSING=()
[ -x /usr/bin/chromium ] || MISSING+=(chromium)
command -v node >/dev/null || MISSING+=(nodejs)
command -v npm >/dev/null || MISSING+=(npm)
# The PDF reports are read back as text, as a person's reader would.
command -v pdftotext >/dev/null || MISSING+=(poppler-utils)
if [ "${#MISSING[@]}" -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${MISSING[@]}"
fi

cd "$HERE"
npm ci --no-audit --no-fund

WORK="$(mktemp -d)"
PORT="$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')"
URL="http://127.0.0.1:$PORT"

"$CANDOUR_BIN" serve --demo --db "$WORK/candour.db" --addr "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap stop_server EXIT

# Wait for the demo data to load and /healthz to answer (at most two minutes).
for _ in $(seq 1 240); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "e2e: the server stopped before it was ready:" >&2
    cat "$WORK/server.log" >&2
    exit 1
  fi
  if node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$URL/healthz"; then
    break
  fi
  sleep 0.5
done
if ! node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$URL/healthz"; then
  echo "e2e: the server did not become healthy at $URL:" >&2
  cat "$WORK/server.log" >&2
  exit 1
fi

CANDOUR_URL="$URL" node --test

# The API's contract against the same server: schemathesis from PyPI.
bash "$HERE/api-contract.sh" "$URL"
