#!/usr/bin/env bash
# The district tier on this machine's loopback, without Docker (docs/district.md, "Loopback district without Docker"):
# the processes docker-compose.yml runs, wired the same way, on free 127.0.0.1 ports with a temporary data directory.
#  1. builds once (`dotnet build -c Release`): the rules/dashboard node, campus-ingest and the campus CLI;
#  2. starts Mosquitto, a throwaway PostgreSQL 15 cluster (databases `alarms` and `hazards`, trust auth on loopback) and
#     redis-server (no persistence);
#  3. starts 2 campus-ingest (one shared subscription group) and 2 rules/dashboard nodes (one Orleans cluster: shared
#     Redis, alarm store, escalation scheduler, hazard registry and users file), each with its own instance id;
#  4. prints both nodes' URLs and the log line with the first admin's one-time password, then waits: Ctrl-C stops
#     everything (and deletes the data unless --keep).
#
# Options:
#   --simulate      also run `campus simulate` against the broker (--sites schools sim-001…, 10 sensors each, every 5 s)
#   --sites N       schools simulated (default 3)
#   --keep          keep the temporary directory (logs, data) after stopping
# Needs: mosquitto, redis-server, postgresql (15), the .NET 10 SDK; as root, PostgreSQL runs as the `postgres` user.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

log() { printf '[district] %s\n' "$*" >&2; }
die() { log "$*"; exit 2; }

simulate=false
sites=3
keep=false
while [ $# -gt 0 ]; do
  case "$1" in
    --simulate) simulate=true ;;
    --sites) [ $# -ge 2 ] || die "--sites needs a number"; sites=$2; shift ;;
    --keep) keep=true ;;
    -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
[[ "$sites" =~ ^[1-9][0-9]*$ ]] || die "--sites must be a positive number"

# ---- prerequisites ------------------------------------------------------------------------------------------------
pg_bin=/usr/lib/postgresql/15/bin
mosquitto_bin=$(command -v mosquitto || echo /usr/sbin/mosquitto)
redis_bin=$(command -v redis-server || echo /usr/bin/redis-server)
missing=()
[ -x "$mosquitto_bin" ] || missing+=(mosquitto)
[ -x "$redis_bin" ] || missing+=(redis-server)
[ -x "$pg_bin/initdb" ] || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] || die "missing: ${missing[*]} (apt-get install -y ${missing[*]})"
command -v dotnet >/dev/null 2>&1 || die "the .NET 10 SDK (dotnet) is required"
if [ "$(id -u)" -eq 0 ]; then id postgres >/dev/null 2>&1 || die "running as root needs the postgres user (Debian's postgresql package)"; fi

# ---- temporary directory; our processes: started in order, stopped in reverse ----------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/campus-district.XXXXXX")
pids=()     # our processes, in start order
names=()
pg_data=""
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# SIGTERM to each named process at once, up to 30 s for all to stop gracefully (a node leaves the cluster, ingest
# flushes), then SIGKILL to any left.
stop_all() { # name...
  local name pid left
  for name in "$@"; do pid=$(pid_of "$name"); [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 300); do
    left=""
    for name in "$@"; do pid=$(pid_of "$name"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && left+=" $name"; done
    [ -z "$left" ] && break
    sleep 0.1
  done
  for name in $left; do log "$name did not stop in 30 s: SIGKILL"; kill -KILL "$(pid_of "$name")" 2>/dev/null || true; done
  for name in "$@"; do pid=$(pid_of "$name"); [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
}
cleanup() {
  trap - EXIT INT TERM
  log "stopping"
  # The platform's processes first, while the broker, Redis and PostgreSQL they talk to are still up.
  stop_all simulate node-1 node-2 ingest-1 ingest-2
  stop_all redis mosquitto
  if [ -n "$pg_data" ]; then as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1 || true; fi
  if $keep; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. build -----------------------------------------------------------------------------------------------------
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
node_project=dashboard/Campus.IoT.Dashboard
ingest_project=ingest/Campus.IoT.Ingest.Host
cli_project=tools/Campus.IoT.Cli
for project in "$node_project" "$ingest_project" "$cli_project"; do
  log "building $project (Release)"
  dotnet build -c Release "$project" -v quiet -nologo >> "$work/build.log" 2>&1 \
    || { tail -n 30 "$work/build.log" >&2; die "dotnet build $project failed (whole output: $work/build.log)"; }
done
node_dll="$root/$node_project/bin/Release/net10.0/Campus.IoT.Dashboard.dll"
ingest_dll="$root/$ingest_project/bin/Release/net10.0/campus-ingest.dll"
cli_dll="$root/$cli_project/bin/Release/net10.0/campus.dll"
for dll in "$node_dll" "$ingest_dll" "$cli_dll"; do [ -f "$dll" ] || die "no $dll after the build"; done


# Starts NAME with its output in $work/NAME.log, in the background, in a session of its own: Ctrl-C in the terminal
# reaches this script only (Mosquitto and Redis would quit on it at once), and the trap stops everything in order.
start() { # name command...
  local name=$1; shift
  setsid "$@" > "$work/$name.log" 2>&1 < /dev/null &
  pids+=($!)
  names+=("$name")
}
pid_of() { local i; for i in "${!names[@]}"; do if [ "${names[i]}" = "$1" ]; then echo "${pids[i]}"; fi; done; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
taken=" "
pick_port() { # VAR: a free loopback port, not handed out before, into VAR
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 40000))
    if [[ "$taken" != *" $p "* ]] && port_free "$p"; then taken+="$p "; printf -v "$1" '%s' "$p"; return 0; fi
  done
  die "no free loopback port"
}
# The HTTP status of GET http://127.0.0.1:PORT/PATH, or nothing while the server is not answering.
http_status() {
  ( exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
    IFS=' ' read -r -t 5 _ code _ <&3 && printf '%s' "$code" ) 2>/dev/null || true
}
# Waits up to SECONDS until GET PATH answers 200; a process that exits meanwhile fails at once.
wait_healthy() { # name port path seconds
  local pid; pid=$(pid_of "$1")
  for _ in $(seq 1 $(($4 * 10))); do
    [ "$(http_status "$2" "$3")" = "200" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  log "$1 did not become healthy (GET $3 on port $2); the end of $work/$1.log:"; tail -n 30 "$work/$1.log" >&2; exit 2
}
wait_port() { # name port
  local pid; pid=$(pid_of "$1")
  for _ in $(seq 1 100); do
    port_free "$2" || return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  log "$1 did not start; the end of $work/$1.log:"; tail -n 20 "$work/$1.log" >&2; exit 2
}

# ---- 2. broker, PostgreSQL, Redis ---------------------------------------------------------------------------------
pick_port mq_port
mkdir -p "$work/mosquitto"
{
  echo "listener $mq_port 127.0.0.1"
  echo "allow_anonymous true"
  echo "persistence true"
  echo "persistence_location $work/mosquitto/"
  echo "max_queued_messages 1000000"
  [ "$(id -u)" -eq 0 ] && echo "user root"
} > "$work/mosquitto/mosquitto.conf"
start mosquitto "$mosquitto_bin" -c "$work/mosquitto/mosquitto.conf"
wait_port mosquitto "$mq_port"
broker="mqtt://127.0.0.1:$mq_port"
log "mosquitto on $broker"

pick_port pg_port
mkdir -p "$work/pg" "$work/pgsock"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$work" "$work/pg" "$work/pgsock"
as_pg "$pg_bin/initdb" -D "$work/pg/data" -U campus --auth=trust --encoding=UTF8 --no-sync > "$work/pg/initdb.log" 2>&1 \
  || { tail -n 20 "$work/pg/initdb.log" >&2; die "initdb failed"; }
pg_data="$work/pg/data"
as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$work/pg/postgres.log" \
  -o "-k $work/pgsock -p $pg_port -c listen_addresses=127.0.0.1 -c max_connections=200" -w start > /dev/null 2>&1 \
  || { tail -n 20 "$work/pg/postgres.log" >&2; pg_data=""; die "postgres did not start"; }
for db in alarms hazards; do
  as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U campus "$db" || die "createdb $db failed"
done
pg="Host=127.0.0.1;Port=$pg_port;Username=campus"
log "postgres $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port, databases alarms and hazards"

pick_port redis_port
mkdir -p "$work/redis"
start redis "$redis_bin" --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work/redis"
wait_port redis "$redis_port"
log "redis-server on 127.0.0.1:$redis_port"

# ---- 3. ingest and rules/dashboard nodes --------------------------------------------------------------------------
# One line per log entry with a UTC time stamp, as the tests read them.
export Logging__Console__FormatterName=simple Logging__Console__FormatterOptions__SingleLine=true \
  Logging__Console__FormatterOptions__UseUtcTimestamp=true \
  "Logging__Console__FormatterOptions__TimestampFormat=yyyy-MM-dd'T'HH:mm:ss.fff'Z' " Logging__LogLevel__Orleans=Warning Logging__LogLevel__Polly=Warning

cluster="loopback-$$"
ingest_ports=()
for i in 1 2; do
  pick_port port
  ingest_ports+=("$port")
  mkdir -p "$work/ingest-$i"
  start "ingest-$i" dotnet "$ingest_dll" --Urls="http://127.0.0.1:$port" --Campus:DataDir="$work/ingest-$i" \
    --Campus:Mqtt:Broker="$broker" --Campus:InstanceId="ingest-$i" --Campus:Ingest:SharedGroup=ingest
done

node_ports=()
for i in 1 2; do
  pick_port port; pick_port silo; pick_port gateway
  node_ports+=("$port")
  mkdir -p "$work/node-$i"
  # AdvertisedAddress 127.0.0.1: on loopback the first non-loopback IPv4 (compose's default) is not needed. The nodes'
  # own ingest joins a group of their own, so ingest-1/2 store every reading between them (as the loopback test does).
  start "node-$i" dotnet "$node_dll" --Urls="http://127.0.0.1:$port" --Campus:DataDir="$work/node-$i" \
    --Campus:Mqtt:Broker="$broker" --Campus:InstanceId="node-$i" --Campus:Ingest:SharedGroup=nodes \
    --Campus:Cluster:Enabled=true --Campus:Cluster:Redis="127.0.0.1:$redis_port" --Campus:Cluster:ClusterId="$cluster" \
    --Campus:Cluster:SiloPort="$silo" --Campus:Cluster:GatewayPort="$gateway" --Campus:Cluster:AdvertisedAddress=127.0.0.1 \
    --Campus:Alarms:Provider=postgres --Campus:Alarms:ConnectionString="$pg;Database=alarms" \
    --Campus:Escalation:ConnectionString="$pg;Database=alarms" \
    --Campus:Hazards:Provider=postgres --Campus:Hazards:ConnectionString="$pg;Database=hazards" \
    --Campus:Auth:Database="$work/auth.db"
done

for i in 1 2; do wait_healthy "ingest-$i" "${ingest_ports[i-1]}" /healthz 60; done
log "campus-ingest on 127.0.0.1:${ingest_ports[0]} and 127.0.0.1:${ingest_ports[1]} (shared group 'ingest')"
for i in 1 2; do wait_healthy "node-$i" "${node_ports[i-1]}" /healthz 120; done

if $simulate; then
  start simulate dotnet "$cli_dll" simulate --broker "$broker" --sites "$sites" --devices 10 --interval 5 --duration 86400
  log "campus simulate: schools sim-001… ($sites), 10 sensors each every 5 s, output in $work/simulate.log"
fi

# ---- 4. tell the developer, then wait -----------------------------------------------------------------------------
# Two nodes starting on an empty users file create the admin once: one of them logs the one-time password (event 7001).
otp=""
for _ in $(seq 1 300); do
  otp=$(grep -l "\[7001\].*one-time password" "$work/node-1.log" "$work/node-2.log" 2>/dev/null | head -n1 || true)
  [ -n "$otp" ] && break
  sleep 0.1
done
cat <<EOF

  Loopback district up (data and logs in $work)
    node-1   http://127.0.0.1:${node_ports[0]}/   pid $(pid_of node-1)   log $work/node-1.log
    node-2   http://127.0.0.1:${node_ports[1]}/   pid $(pid_of node-2)   log $work/node-2.log
    ingest   pids $(pid_of ingest-1) $(pid_of ingest-2)   broker $broker   redis 127.0.0.1:$redis_port
    postgres $pg;Database=alarms (and Database=hazards)
EOF
if [ -n "$otp" ]; then
  echo "    first admin 'admin', one-time password logged in $otp:"
  echo "      $(grep "\[7001\]" "$otp" | grep -m1 -o "one-time password [^ ]*")"
else
  echo "    first admin: no one-time password logged (the users file had users): grep '\[7001\]' $work/node-*.log"
fi
echo
echo "  Ctrl-C stops everything."
echo

# Wait until Ctrl-C. A process that exits (or that you kill to watch the other node take its schools over) is reported
# once; the others keep running.
reported=" "
while true; do
  for i in "${!pids[@]}"; do
    if [[ "$reported" != *" ${names[i]} "* ]] && ! kill -0 "${pids[i]}" 2>/dev/null; then
      reported+="${names[i]} "
      log "${names[i]} (pid ${pids[i]}) exited; the others keep running. The end of $work/${names[i]}.log:"
      tail -n 5 "$work/${names[i]}.log" >&2
    fi
  done
  sleep 1
done
