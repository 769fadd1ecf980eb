#!/usr/bin/env bash
# Runs every test project of Campus.IoT on this machine.
#  1. installs what the tests need when it is missing (Debian/Ubuntu: mosquitto, mosquitto-clients, chromium,
#     fonts-noto-cjk: the Chinese font the pages ask for first, socat, openssl,
#     victoria-metrics, influxdb, python3-aiosmtpd: the SMTP server the email tests start, docker-compose: validates the
#     district tier's docker-compose.yml without a Docker engine, redis-server: the cluster tests start their own, each on a
#     free loopback port without persistence, for the SignalR backplane and the shared sign-in key ring);
#  2. starts, each on a free loopback port with a temporary data directory: a Mosquitto broker (CAMPUS_TEST_MOSQUITTO),
#     VictoriaMetrics, which accepts InfluxDB 2.x writes (CAMPUS_TEST_VICTORIAMETRICS), InfluxDB 1.x (CAMPUS_TEST_INFLUXDB1)
#     and a PostgreSQL 15 cluster for the hazard registry (CAMPUS_TEST_POSTGRES, an Npgsql connection string; each test
#     creates a database of its own);
#  3. runs `dotnet test` over the solution (NuGet restore included) with a TRX report per test assembly;
#  4. stops the servers and prints, as its last line, `N passed, N failed, N skipped` summed over all assemblies.
# Exit code: dotnet test's.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

log() { printf '[test.sh] %s\n' "$*" >&2; }

# ---- 1. prerequisites ---------------------------------------------------------------------------------------------
need=()
[ -x /usr/sbin/mosquitto ] || command -v mosquitto >/dev/null 2>&1 || need+=(mosquitto)
command -v mosquitto_pub >/dev/null 2>&1 || need+=(mosquitto-clients)
[ -x /usr/bin/chromium ] || need+=(chromium)
# The pages ask for Noto Sans CJK SC first; without a CJK font Chinese renders as boxes and the layout tests measure nonsense.
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
command -v socat >/dev/null 2>&1 || need+=(socat)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ -x /usr/bin/victoria-metrics ] || need+=(victoria-metrics)
[ -x /usr/bin/influxd ] || need+=(influxdb)
/usr/bin/python3 -c "import aiosmtpd" >/dev/null 2>&1 || need+=(python3-aiosmtpd)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
[ -x /usr/bin/redis-server ] || need+=(redis-server)
pg_bin=/usr/lib/postgresql/15/bin
[ -x "$pg_bin/initdb" ] || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >&2 || { log "apt-get update failed"; exit 2; }
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >&2 \
    || { log "apt-get install ${need[*]} failed"; exit 2; }
fi
command -v dotnet >/dev/null 2>&1 || { log "the .NET 10 SDK (dotnet) is required"; exit 2; }
mosquitto_bin=$(command -v mosquitto || echo /usr/sbin/mosquitto)

# ---- 2. servers ---------------------------------------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/campus-test.XXXXXX")
mosquitto_pid=""
vm_pid=""
influx_pid=""
pg_data=""
# PostgreSQL refuses to run as root: as root, its tools run as the postgres user (made by the Debian package).
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
stop() { if [ -n "$1" ]; then kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; fi; }
cleanup() {
  stop "$mosquitto_pid"
  stop "$vm_pid"
  stop "$influx_pid"
  if [ -n "$pg_data" ]; then as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1; fi
  rm -rf "$work"
}
trap cleanup EXIT

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    if port_free "$p"; then echo "$p"; return 0; fi
  done
  return 1
}

mq_port=$(pick_port) || { log "no free port for mosquitto"; exit 2; }
mkdir -p "$work/mosquitto"
{
  echo "listener $mq_port 127.0.0.1"
  echo "allow_anonymous true"
  echo "persistence true"
  echo "max_queued_messages 1000000"
  echo "persistence_location $work/mosquitto/"
  echo "log_dest file $work/mosquitto/mosquitto.log"
  [ "$(id -u)" -eq 0 ] && echo "user root"
} > "$work/mosquitto/mosquitto.conf"
"$mosquitto_bin" -c "$work/mosquitto/mosquitto.conf" &
mosquitto_pid=$!
for _ in $(seq 1 100); do
  port_free "$mq_port" || break
  sleep 0.1
done
if port_free "$mq_port"; then log "mosquitto did not start"; cat "$work/mosquitto/mosquitto.log" >&2 2>/dev/null; exit 2; fi
export CAMPUS_TEST_MOSQUITTO="mqtt://127.0.0.1:$mq_port"
log "mosquitto $("$mosquitto_bin" -h 2>/dev/null | head -n1 | awk '{print $3}') on $CAMPUS_TEST_MOSQUITTO"

# The HTTP status of GET http://127.0.0.1:PORT/PATH, or nothing while the server is not answering.
http_status() {
  ( exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
    IFS=' ' read -r -t 5 _ code _ <&3 && printf '%s' "$code" ) 2>/dev/null
}
# Waits up to 30 s until GET PATH answers STATUS; a server that exits meanwhile fails at once.
wait_http() { # name pid port path status log
  for _ in $(seq 1 300); do
    [ "$(http_status "$3" "$4")" = "$5" ] && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.1
  done
  log "$1 did not start"; tail -n 20 "$6" >&2 2>/dev/null; exit 2
}

# VictoriaMetrics takes the InfluxDB 2.x store's writes (/api/v2/write). Samples of a series at the same millisecond are
# deduplicated, as InfluxDB replaces a point written again.
vm_port=$(pick_port) || { log "no free port for victoria-metrics"; exit 2; }
mkdir -p "$work/victoria-metrics"
/usr/bin/victoria-metrics -storageDataPath="$work/victoria-metrics/data" -httpListenAddr="127.0.0.1:$vm_port" \
  -search.latencyOffset=0s -dedup.minScrapeInterval=1ms > "$work/victoria-metrics/victoria-metrics.log" 2>&1 &
vm_pid=$!
wait_http victoria-metrics "$vm_pid" "$vm_port" /health 200 "$work/victoria-metrics/victoria-metrics.log"
export CAMPUS_TEST_VICTORIAMETRICS="http://127.0.0.1:$vm_port"
log "victoria-metrics on $CAMPUS_TEST_VICTORIAMETRICS"

# InfluxDB 1.x: /write and InfluxQL /query. The test fixtures create databases of their own.
influx_port=$(pick_port) || { log "no free port for influxd"; exit 2; }
influx_rpc_port=$(pick_port) || { log "no free port for influxd"; exit 2; }
mkdir -p "$work/influxdb"
cat > "$work/influxdb/influxdb.conf" <<EOF
reporting-disabled = true
bind-address = "127.0.0.1:$influx_rpc_port"
[meta]
  dir = "$work/influxdb/meta"
[data]
  dir = "$work/influxdb/data"
  wal-dir = "$work/influxdb/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:$influx_port"
  log-enabled = false
EOF
/usr/bin/influxd run -config "$work/influxdb/influxdb.conf" > "$work/influxdb/influxd.log" 2>&1 &
influx_pid=$!
wait_http influxd "$influx_pid" "$influx_port" /ping 204 "$work/influxdb/influxd.log"
export CAMPUS_TEST_INFLUXDB1="http://127.0.0.1:$influx_port"
log "influxd $(/usr/bin/influxd version 2>/dev/null | awk '{print $2}') on $CAMPUS_TEST_INFLUXDB1"

# PostgreSQL 15 (the hazard registry at district scale): a throwaway cluster, trust auth on loopback only.
pg_port=$(pick_port) || { log "no free port for postgres"; exit 2; }
mkdir -p "$work/pg" "$work/pgsock"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$work" "$work/pg" "$work/pgsock"
as_pg "$pg_bin/initdb" -D "$work/pg/data" -U campus --auth=trust --encoding=UTF8 --no-sync > "$work/pg/initdb.log" 2>&1 \
  || { log "initdb failed"; tail -n 20 "$work/pg/initdb.log" >&2; exit 2; }
pg_data="$work/pg/data"
as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$work/pg/postgres.log" \
  -o "-k $work/pgsock -p $pg_port -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" -w start > /dev/null 2>&1 \
  || { log "postgres did not start"; tail -n 20 "$work/pg/postgres.log" >&2; pg_data=""; exit 2; }
export CAMPUS_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=campus;Database=postgres"
log "postgres $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port"

# ---- 3. tests -----------------------------------------------------------------------------------------------------
results="$work/results"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet test "$root/Campus.IoT.sln" --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@"
rc=$?

# ---- 4. summary ---------------------------------------------------------------------------------------------------
passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n1)
  get() { printf '%s' "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  log "dotnet test exited with $rc but no test failed: the build or a test host failed (see above); counted as 1 failure"
  failed=1
fi
log "test assemblies reported: $files"
echo "$passed passed, $failed failed, $skipped skipped"
exit "$rc"
