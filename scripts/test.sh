#!/usr/bin/env bash
# Runs every test project of Campus.IoT on this machine.
#  1. installs what the tests need when it is missing (Debian/Ubuntu: mosquitto, mosquitto-clients, chromium, socat, openssl);
#  2. starts a Mosquitto broker on a free loopback port with a temporary data directory (CAMPUS_TEST_MOSQUITTO);
#  3. runs `dotnet test` over the solution (NuGet restore included) with a TRX report per test assembly;
#  4. stops the broker and prints, as its last line, `N passed, N failed, N skipped` summed over all assemblies.
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
command -v socat >/dev/null 2>&1 || need+=(socat)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
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
cleanup() {
  if [ -n "$mosquitto_pid" ]; then kill "$mosquitto_pid" 2>/dev/null; wait "$mosquitto_pid" 2>/dev/null; fi
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
