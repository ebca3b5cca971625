#!/usr/bin/env bash
# Reads while people write, and what the live monitor costs, side by side in one run.
#
#   bench/mixed.sh BIN DB
#
# BIN is a release build of candour; DB a national demo made with
# `candour demo --scale national --seed 42 --db DB` (the runs add feedback to it). Five runs of
# 30 s each, every one against a freshly started server on the same database:
#   1. idle:      the directory paced at about 200 requests/s, nothing else;
#   2. mixed:     the same directory load while feedback arrives at about 700 a second (a), and
#                 flat out (b), with the monitor on;
#   3. monitor on:  feedback submitted flat out, alone;
#   4. monitor off: the same with `serve --no-monitor`.
# Needs wrk, curl and Python 3 (for the location IDs).
set -euo pipefail

BIN="${1:?usage: bench/mixed.sh BIN DB}"
DB="${2:?usage: bench/mixed.sh BIN DB}"
PORT="${PORT:-8093}"
URL="http://127.0.0.1:$PORT"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$(mktemp -d)"
IDS="$OUT/ids.txt"

python3 -c "import sqlite3,sys; print('\n'.join(r[0] for r in sqlite3.connect(sys.argv[1]).execute('SELECT id FROM locations')))" "$DB" >"$IDS"

SERVER=""
stop() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=""; fi
}
trap 'stop; rm -rf "$OUT"' EXIT

# Starts the server with the given extra flags and waits until it answers (and, with the
# monitor on, until its first snapshot of the whole register is computed).
start() {
  "$BIN" serve --db "$DB" --addr "127.0.0.1:$PORT" --trust-forwarded-for "$@" >"$OUT/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 600); do
    body="$(curl -s "$URL/healthz" || true)"
    case "$body" in
      *'"state":"off"'* | *'"last_good_round":"'*) return 0 ;;
    esac
    sleep 0.5
  done
  echo "the server did not become ready:" >&2
  cat "$OUT/server.log" >&2
  exit 1
}

directory() {
  PAUSE_MS=100 wrk -t1 -c20 -d30s --latency -s "$HERE/directory.lua" "$URL"
}

# Flat out, or paced with FEEDBACK_PAUSE_MS per connection.
feedback() {
  IDS="$IDS" PAUSE_MS="${FEEDBACK_PAUSE_MS:-0}" wrk -t1 -c64 -d30s --latency -s "$HERE/feedback.lua" "$URL"
}

echo "== 1. idle: the directory at about 200 requests/s"
start
directory
stop

mixed() {
  start
  feedback >"$OUT/mixed-feedback.txt" &
  WRITER=$!
  directory
  wait "$WRITER"
  echo "-- the feedback load meanwhile:"
  cat "$OUT/mixed-feedback.txt"
  stop
}

echo "== 2a. mixed: the directory at about 200 requests/s while feedback arrives at about 700 a second (monitor on)"
FEEDBACK_PAUSE_MS=80 mixed

echo "== 2b. mixed: the directory at about 200 requests/s while feedback is submitted flat out (monitor on)"
mixed

echo "== 3. feedback flat out, monitor on"
start
feedback
stop

echo "== 4. feedback flat out, monitor off (serve --no-monitor)"
start --no-monitor
feedback
stop
