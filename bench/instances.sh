#!/usr/bin/env bash
# Two instances on one database: durable feedback taken by both at once (with their
# live monitors on), flat out and then paced, the directory read at about 200
# requests/s per instance while that goes on, and how soon one instance's monitor
# reflects a response the other took. Run once per database to compare them side by side:
#
#   bench/instances.sh BIN DB
#
# BIN is a release build of candour; DB a national demo (a SQLite file or a
# postgres:// URL) made with `candour demo --scale national --seed 42 --db DB`.
# Needs wrk, curl and psql or python3 (for the location IDs).
set -euo pipefail

BIN="${1:?usage: bench/instances.sh BIN DB}"
DB="${2:?usage: bench/instances.sh BIN DB}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$(mktemp -d)"
PORTS=(8095 8096)
PIDS=()

case "$DB" in
  postgres://* | postgresql://*) psql "$DB" -Atc "SELECT id FROM locations" >"$OUT/ids.txt" ;;
  *) python3 -c "import sqlite3,sys; print('\n'.join(r[0] for r in sqlite3.connect(sys.argv[1]).execute('SELECT id FROM locations')))" "$DB" >"$OUT/ids.txt" ;;
esac

stop() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; }
trap 'stop; rm -rf "$OUT"' EXIT

for port in "${PORTS[@]}"; do
  "$BIN" serve --db "$DB" --addr "127.0.0.1:$port" --trust-forwarded-for >"$OUT/server-$port.log" 2>&1 &
  PIDS+=($!)
done
for port in "${PORTS[@]}"; do
  for _ in $(seq 1 1200); do
    case "$(curl -s "http://127.0.0.1:$port/healthz" || true)" in *'"last_good_round":"'*) break ;; esac
    sleep 0.5
  done
done

reflected() { curl -s "http://127.0.0.1:$1/healthz" | sed -n 's/.*"reflected_change":\([-0-9]*\).*/\1/p'; }
rss() { awk '/VmRSS/ {print int($2 / 1024) " MiB"}' "/proc/$1/status"; }

# One load: feedback into both instances at once, flat out or paced (PAUSE_MS
# between each connection's requests), with the directory read at ~200/s on each.
load() {
  for port in "${PORTS[@]}"; do
    PAUSE_MS="$1" IDS="$OUT/ids.txt" wrk -t1 -c64 -d30s --latency -s "$HERE/feedback.lua" "http://127.0.0.1:$port" >"$OUT/feedback-$port.txt" &
    PAUSE_MS=100 wrk -t1 -c20 -d30s --latency -s "$HERE/directory.lua" "http://127.0.0.1:$port" >"$OUT/directory-$port.txt" &
  done
  wait $(jobs -p | grep -v -e "${PIDS[0]}" -e "${PIDS[1]}") 2>/dev/null || true
  sleep 1
  for port in "${PORTS[@]}"; do
    echo "-- instance $port: feedback"; grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors" "$OUT/feedback-$port.txt" || true
    echo "-- instance $port: directory"; grep -E "Requests/sec|50%|99%|Non-2xx" "$OUT/directory-$port.txt" || true
  done
}

echo "== feedback flat out into both instances at once (30 s, 64 connections each), directory at ~200/s on each"
load 0
echo "== feedback paced (64 connections each, 25 ms between a connection's requests: 1,000-1,200/s each, as fast as answers come), directory as before"
sleep 5
load 25

echo "== catching up: the second instance's monitor reflects everything the loads wrote"
start=$(date +%s%N)
# Settled when both instances reflect the same entry for a second (given two minutes).
for _ in $(seq 1 120); do
  a=$(reflected "${PORTS[0]}"); b=$(reflected "${PORTS[1]}")
  sleep 1
  [ "$a" = "$b" ] && [ "$a" = "$(reflected "${PORTS[0]}")" ] && [ "$b" = "$(reflected "${PORTS[1]}")" ] && break
done
echo "   settled $(( ($(date +%s%N) - start) / 1000000 - 1000 )) ms after the paced load's figures"

echo "== one response taken by the first instance, reflected by the second's monitor (5 tries)"
id=$(head -n 1 "$OUT/ids.txt")
body='{"respondent":"person","overall":"good","answers":{"choice":"just_as_i_want","safe":"just_as_i_want","dignity":"just_as_i_want","listened":"just_as_i_want","matters":"just_as_i_want","in_touch":"just_as_i_want","reliable":"just_as_i_want","information":"just_as_i_want"}}'
for try in 1 2 3 4 5; do
  sleep 2
  before=$(reflected "${PORTS[1]}")
  start=$(date +%s%N)
  curl -s -o /dev/null -H 'Content-Type: application/json' -H "X-Forwarded-For: 192.0.2.$try" \
    -d "$body" "http://127.0.0.1:${PORTS[0]}/api/v1/locations/$id/feedback"
  while [ "$(reflected "${PORTS[1]}")" -le "$before" ]; do sleep 0.01; done
  echo "   try $try: $(( ($(date +%s%N) - start) / 1000000 )) ms"
done

echo "== groups that made every request in them wait over half a second (PostgreSQL)"
slow=$(grep -h -e "slow feedback group" -e "slow allowance group" "$OUT"/server-*.log | sed 's/\x1b\[[0-9;]*m//g' || true)
echo "${slow:-   none}"

echo "== memory"
for i in 0 1; do echo "   instance ${PORTS[$i]}: $(rss "${PIDS[$i]}")"; done
