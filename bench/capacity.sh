#!/usr/bin/env bash
# One node's capacity (docs/capacity.md): the single-machine platform host (dashboard/Campus.IoT.Dashboard, Release)
# against a Mosquitto this script starts, loaded by `campus simulate` step by step, watched by bench/capacity_sample.py.
#
#   bench/capacity.sh                      # the default steps below, 60 s each
#   CAPACITY_DURATION=90 bench/capacity.sh district:500:200:30 step-2s:500:200:2
#
# A step is LABEL:SITES:DEVICES:INTERVAL[:BURST_FACTOR:BURST_AT:BURST_FOR] (`campus simulate --sites --devices
# --interval [--burst-factor --burst-at --burst-for]`, one gateway per school carrying its devices). Every step runs
# against the same host (its store grows from step to step, as a real one does); after each, the script waits until
# the host has stored every published reading. Output: one JSON line per step on stdout (and in RESULTS), the
# per-second samples in SAMPLES. The host's data directory and the broker are temporary and removed at the end.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
duration=${CAPACITY_DURATION:-60}
out=${CAPACITY_OUT:-$root/bench/capacity-results}
mkdir -p "$out"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
results="$out/$stamp.jsonl"
samples="$out/$stamp.samples.jsonl"

if [ $# -eq 0 ]; then
  b_at=$((duration / 3)); b_for=$((duration / 3))
  set -- "district-30s:500:200:30" "burst-10x:500:200:30:10:$b_at:$b_for" \
    "step-6s:500:200:6" "step-3s:500:200:3" "step-2s:500:200:2" "step-1.5s:500:200:1.5" "step-1s:500:200:1"
fi

log() { printf '[capacity] %s\n' "$*" >&2; }

if [ -z "${CAPACITY_NO_BUILD:-}" ]; then
  log "building Release (host and CLI)"
  dotnet build -c Release dashboard/Campus.IoT.Dashboard -v q -nologo >&2
  dotnet build -c Release tools/Campus.IoT.Cli -v q -nologo >&2
fi

tmp=$(mktemp -d /tmp/campus-capacity.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
mqtt_port=$(free_port)
http_port=$(free_port)
mosquitto_pid=""
host_pid=""
cleanup() {
  [ -n "$host_pid" ] && kill "$host_pid" 2>/dev/null && wait "$host_pid" 2>/dev/null || true
  [ -n "$mosquitto_pid" ] && kill "$mosquitto_pid" 2>/dev/null && wait "$mosquitto_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

cat >"$tmp/mosquitto.conf" <<EOF
persistence false
max_queued_messages 1000000
log_dest none
$([ "$(id -un)" = root ] && echo "user root")
listener $mqtt_port 127.0.0.1
allow_anonymous true
EOF
mosquitto -c "$tmp/mosquitto.conf" &
mosquitto_pid=$!

(cd dashboard/Campus.IoT.Dashboard && exec bin/Release/net10.0/Campus.IoT.Dashboard --urls "http://127.0.0.1:$http_port" \
  --Campus:Mqtt:Broker="mqtt://127.0.0.1:$mqtt_port" --Campus:DataDir="$tmp/data" \
  --Campus:Watchdog:Enabled=false --Campus:Auth:Anonymous=guard --Logging:LogLevel:Default=Warning) >"$tmp/host.log" 2>&1 &
host_pid=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null || { log "host did not come up"; tail -20 "$tmp/host.log" >&2; exit 1; }
log "host pid $host_pid on :$http_port, mosquitto pid $mosquitto_pid on :$mqtt_port; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"

campus="$root/tools/Campus.IoT.Cli/bin/Release/net10.0/campus"
for step in "$@"; do
  IFS=: read -r label sites devices interval bfactor bat bfor <<<"$step"
  args=(simulate --broker "mqtt://127.0.0.1:$mqtt_port" --sites "$sites" --devices "$devices" --interval "$interval" --duration "$duration")
  window=""
  if [ -n "${bfactor:-}" ]; then
    args+=(--burst-factor "$bfactor" --burst-at "$bat" --burst-for "$bfor")
    # The simulator's clock starts after its gateways connect (a second or two): average over the burst's middle.
    window="$(python3 -c "print(f'{$bat+3}:{$bat+$bfor}')")"
  fi
  log "step $label: campus ${args[*]}"
  python3 bench/capacity_sample.py --label "$label" --host-pid "$host_pid" --mosquitto-pid "$mosquitto_pid" \
    --sim-out "$tmp/sim-$label.out" --sim-err "$tmp/sim-$label.err" --exclude $$ --http "http://127.0.0.1:$http_port" \
    --broker-port "$mqtt_port" --samples "$samples" ${window:+--window "$window"} -- "$campus" "${args[@]}" >"$tmp/step-$label.json"
  [ -s "$tmp/sim-$label.err" ] && log "simulate said: $(head -3 "$tmp/sim-$label.err")"
  python3 - "$tmp/sim-$label.out" "$tmp/step-$label.json" "$step" <<'EOF' | tee -a "$results"
import json, sys
sim = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
step = json.loads(open(sys.argv[2]).read())
print(json.dumps({"step": sys.argv[3], **step, "simulate": sim}))
EOF
  sleep 5
done
log "results: $results; samples: $samples"
