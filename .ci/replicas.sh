#!/usr/bin/env bash
# Read replicas against a real streaming replica made here: a temporary primary
# (initdb) and a replica of it (pg_basebackup), each a `postgres` on its own
# port, both stopped and removed at the end, whatever happens. (The machine's
# own server does not allow replication connections, so the primary is ours too.)
#
# Checks that `candour serve --db-read` sends reads to the replica, and that
# whoever has just written reads their write while the replica is held behind.
#
#   CANDOUR_BIN=target/debug/candour bash .ci/replicas.sh
set -euo pipefail

BIN=$(realpath "${CANDOUR_BIN:-target/debug/candour}")
PGBIN=$(pg_config --bindir 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | tail -n 1)
[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL's server programs (initdb) are not installed" >&2; exit 1; }
PRIMARY_PORT=${PRIMARY_PORT:-5442}
REPLICA_PORT=${REPLICA_PORT:-5443}
WEB_PORT=${WEB_PORT:-18743}
work=$(mktemp -d /tmp/candour-replicas.XXXXXX)
server=""

# PostgreSQL refuses to run as root: run its tools as the postgres user then.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$work"

cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null || true
    for node in replica primary; do
        [ -d "$work/$node" ] && as_pg "$PGBIN/pg_ctl" -D "$work/$node" -m immediate stop >/dev/null 2>&1 || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

start() { # node port
    as_pg "$PGBIN/pg_ctl" -D "$work/$1" -l "$work/$1.log" -w \
        -o "-p $2 -k $work -c listen_addresses=127.0.0.1" start >/dev/null
}
sql() { # port sql
    psql -h 127.0.0.1 -p "$1" -U postgres -d candour -Atqc "$2"
}

echo "-- a primary on $PRIMARY_PORT and a streaming replica on $REPLICA_PORT"
as_pg "$PGBIN/initdb" -D "$work/primary" -U postgres --auth=trust >/dev/null
echo "host replication all 127.0.0.1/32 trust" >>"$work/primary/pg_hba.conf"
start primary "$PRIMARY_PORT"
as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$work/replica" -R -X stream
start replica "$REPLICA_PORT"
test "$(psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -Atqc 'SELECT pg_is_in_recovery()')" = t

primary="postgres://postgres@127.0.0.1:$PRIMARY_PORT/candour"
replica="postgres://postgres@127.0.0.1:$REPLICA_PORT/candour"
createdb -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres candour
"$BIN" demo --db "$primary" >/dev/null
"$BIN" serve --db "$primary" --db-read "$replica" --addr "127.0.0.1:$WEB_PORT" --no-monitor >"$work/serve.log" 2>&1 &
server=$!
base="http://127.0.0.1:$WEB_PORT"
for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "$base/healthz" >/dev/null || { cat "$work/serve.log"; exit 1; }

answers=""
for q in choice safe dignity listened matters in_touch reliable information; do
    answers="$answers${answers:+,}\"$q\":\"just_as_i_want\""
done
FEEDBACK="{\"respondent\":\"person\",\"overall\":\"good\",\"answers\":{$answers}}"
location=$(sql "$PRIMARY_PORT" "SELECT id FROM locations ORDER BY id LIMIT 1")
reads() { sql "$1" "SELECT xact_commit FROM pg_stat_database WHERE datname = 'candour'"; }

echo "-- reads go to the replica"
before_replica=$(reads "$REPLICA_PORT")
started=$(date +%s)
for _ in $(seq 200); do curl -sf "$base/locations/$location" >/dev/null; done
sleep 1 # statistics are reported at the end of each transaction, in batches
# The server asks the replica its position 10 times a second: leave those out.
sampling=$((10 * ($(date +%s) - started + 1)))
served=$(($(reads "$REPLICA_PORT") - before_replica - sampling))
echo "   200 location pages: $served transactions on the replica besides its position"
[ "$served" -ge 200 ] || { echo "FAIL: the location pages were not read from the replica" >&2; exit 1; }

echo "-- the writer reads their write while the replica is held behind"
psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -Atqc "SELECT pg_wal_replay_pause()" >/dev/null
jar="$work/cookies"
key="replica-check-$(date +%s%N)"
held=$(sql "$REPLICA_PORT" "SELECT COUNT(*) FROM feedback")
answer=$(curl -sf -c "$jar" -b "$jar" -H 'Content-Type: application/json' -H "Idempotency-Key: $key" \
    -d "$FEEDBACK" "$base/api/v1/locations/$location/feedback")
grep -q candour_read_after "$jar" || { echo "FAIL: no read position was given to the writer" >&2; exit 1; }
return_url=$(printf '%s' "$answer" | sed -n 's/.*"return_url":"\([^"]*\)".*/\1/p')
path=${return_url#http*://*/}
[ "$(sql "$REPLICA_PORT" "SELECT COUNT(*) FROM feedback")" = "$held" ] ||
    { echo "FAIL: the replica was not held behind" >&2; exit 1; }
status=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$base/$path")
[ "$status" = 200 ] || { echo "FAIL: the writer's next page answered $status" >&2; exit 1; }
echo "   the replica has not replayed the response; the writer's next page found it ($status)"
psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -Atqc "SELECT pg_wal_replay_resume()" >/dev/null
echo "replicas: ok"
