#!/usr/bin/env python3
"""One step of bench/capacity.sh: watches the platform host while `campus simulate` loads it.

Every second: CPU of the host, of Mosquitto, of the simulator and of every other process on the machine (from
/proc/PID/stat: utime + stime + the reaped children's cutime + cstime, like bench/Campus.IoT.Benchmarks' latency
harness), the host's RSS (/proc/PID/status VmRSS) and its /metrics (readings stored, telemetry received, ingest queue
depth, the alarm latency histogram). Every --probe-every seconds it publishes one smoke event (MQTT 3.1.1, QoS 1, a
connection of its own) for a new device `probe-LABEL-N` at site `probe`, stamped with the time just before the send;
at the end the alarms' `updatedAt - raisedAt` (raisedAt is the event's ts, updatedAt the host's clock when it stored
the transition) is the end-to-end alarm latency under the load, broker queueing included.

After the simulator exits it keeps sampling until the host has stored every reading the simulator published (the
drain), or --drain-timeout. Prints one JSON line (the step's summary) and appends every sample to --samples.
"""
import argparse
import json
import os
import re
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timezone

TCK = os.sysconf("SC_CLK_TCK")


def ticks(pid):
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            s = f.read()
    except OSError:
        return None
    f = s[s.rindex(")") + 2:].split(" ")
    return int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])


def all_ticks():
    out = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            t = ticks(int(d))
            if t is not None:
                out[int(d)] = t
    return out


def rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def scrape(url):
    m = {"stored": 0.0, "received": 0.0, "queue": 0.0, "buckets": {}, "lat_sum": 0.0, "lat_count": 0.0, "dropped": 0.0}
    with urllib.request.urlopen(url, timeout=5) as r:
        for line in r.read().decode().splitlines():
            if line.startswith("#") or not line:
                continue
            name, _, value = line.rpartition(" ")
            v = float(value)
            if name.startswith("campus_ingest_readings_stored_total"):
                m["stored"] += v
            elif name.startswith("campus_ingest_messages_received_total") and 'kind="telemetry"' in name:
                m["received"] += v
            elif name.startswith("campus_ingest_queue_depth"):
                m["queue"] += v
            elif name.startswith("campus_alarm_latency_seconds_bucket"):
                le = name.split('le="')[1].split('"')[0]
                m["buckets"][le] = m["buckets"].get(le, 0) + v
            elif name.startswith("campus_alarm_latency_seconds_sum"):
                m["lat_sum"] += v
            elif name.startswith("campus_alarm_latency_seconds_count"):
                m["lat_count"] += v
    return m


def varint(n):
    out = bytearray()
    while True:
        b = n % 128
        n //= 128
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def mqtt_str(s):
    b = s.encode()
    return struct.pack(">H", len(b)) + b


class Probe:
    """A bare MQTT 3.1.1 publisher: connect once, publish QoS 1, read and drop the PUBACKs."""

    def __init__(self, port, client_id):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        body = mqtt_str("MQTT") + bytes([4, 0x02]) + struct.pack(">H", 60) + mqtt_str(client_id)
        self.sock.sendall(b"\x10" + varint(len(body)) + body)
        self.sock.recv(4)  # CONNACK
        self.sock.setblocking(False)
        self.packet = 0

    def publish(self, topic, payload):
        self.packet = self.packet % 65535 + 1
        body = mqtt_str(topic) + struct.pack(">H", self.packet) + payload
        self.sock.setblocking(True)
        self.sock.sendall(b"\x32" + varint(len(body)) + body)
        self.sock.setblocking(False)
        try:
            while self.sock.recv(4096):
                pass
        except BlockingIOError:
            pass


def pct(values, p):
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(p / 100 * len(v) + 0.5)) - 1))]


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--label", required=True)
    a.add_argument("--host-pid", type=int, required=True)
    a.add_argument("--mosquitto-pid", type=int, required=True)
    a.add_argument("--sim-out", required=True, help="file the simulator's stdout goes to (its summary line)")
    a.add_argument("--sim-err", required=True, help="file the simulator's stderr goes to")
    a.add_argument("--exclude", type=int, nargs="*", default=[], help="pids not counted as other processes (the driving script)")
    a.add_argument("--http", required=True, help="host base URL")
    a.add_argument("--broker-port", type=int, required=True)
    a.add_argument("--probe-every", type=float, default=0.5)
    a.add_argument("--window", default="", help="FROM:TO seconds after the step start to average over (default 10 s in to the simulator's exit)")
    a.add_argument("--drain-timeout", type=float, default=120)
    a.add_argument("--samples", required=True)
    a.add_argument("simulate", nargs=argparse.REMAINDER, help="-- the simulator's command line")
    o = a.parse_args()
    command = o.simulate[1:] if o.simulate[:1] == ["--"] else o.simulate
    # Probe device ids must be contract identifiers ([a-z0-9][a-z0-9-]*): "step-1.5s" would be rejected by ingest.
    o.probe_prefix = "probe-" + re.sub("[^a-z0-9-]", "-", o.label.lower()) + "-"

    probe = Probe(o.broker_port, f"capacity-probe-{o.label}")
    first = scrape(o.http + "/metrics")
    t0 = time.monotonic()
    with open(o.sim_out, "w", encoding="utf-8") as so, open(o.sim_err, "w", encoding="utf-8") as se:
        sim = subprocess.Popen(command, stdout=so, stderr=se)
    o.sim_pid = sim.pid
    own = {os.getpid(), o.host_pid, o.mosquitto_pid, o.sim_pid, *o.exclude}
    e2e_by_device = {}
    next_poll = t0 + 3
    samples = []
    prev_t, prev_all, prev_m = t0, all_ticks(), first
    next_probe, probes, sim_exit, drained = t0, 0, None, None
    seq_base = int(time.time() * 1000)
    while True:
        now = time.monotonic()
        if sim_exit is None and now >= next_probe:
            probes += 1
            ts = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            payload = json.dumps({"seq": seq_base + probes, "ts": ts, "events": [{"device": f"{o.probe_prefix}{probes}", "type": "smoke", "state": "active", "ts": ts}]})
            probe.publish("campus/v1/probe/gw-1/events", payload.encode())
            next_probe += o.probe_every
        if now >= next_poll:
            # Poll the probe alarms while they are fresh: escalation (60 s after the raise) updates updatedAt.
            poll_alarms(o, e2e_by_device)
            next_poll = now + 3
        if now - prev_t >= 1.0:
            cur_all = all_ticks()
            m = scrape(o.http + "/metrics")
            dt = now - prev_t
            d = {pid: t - prev_all.get(pid, 0) for pid, t in cur_all.items()}
            sample = {
                "t": round(now - t0, 2),
                "host_cpu": d.get(o.host_pid, 0) / TCK / dt * 100,
                "mosquitto_cpu": d.get(o.mosquitto_pid, 0) / TCK / dt * 100,
                "sim_cpu": d.get(o.sim_pid, 0) / TCK / dt * 100 if sim_exit is None else 0,
                "other_cpu": other_cpu(prev_all, cur_all, d, own, dt),
                "rss_mib": rss_mib(o.host_pid),
                "stored_per_s": (m["stored"] - prev_m["stored"]) / dt,
                "received_msg_per_s": (m["received"] - prev_m["received"]) / dt,
                "queue": m["queue"],
                "stored_total": m["stored"] - first["stored"],
                "sim_running": sim_exit is None,
            }
            samples.append(sample)
            prev_t, prev_all, prev_m = now, cur_all, m
            if sim_exit is None and sim.poll() is not None:
                sim_exit = now
            if sim_exit is not None:
                published = _published(o.sim_out)
                if published is not None and sample["stored_total"] >= published:
                    drained = now
                    break
                if now - sim_exit > o.drain_timeout:
                    break
        time.sleep(0.02)

    poll_alarms(o, e2e_by_device)
    last = scrape(o.http + "/metrics")
    with open(o.samples, "a", encoding="utf-8") as f:
        for s in samples:
            f.write(json.dumps({"label": o.label, **s}) + "\n")

    sim_t = sim_exit - t0 if sim_exit else samples[-1]["t"]
    lo, hi = (float(x) for x in o.window.split(":")) if o.window else (10.0, sim_t)
    win = [s for s in samples if lo < s["t"] <= hi and s["sim_running"]] or samples

    def mean(k):
        vals = [s[k] for s in win if s[k] is not None]
        return sum(vals) / len(vals) if vals else None

    e2e = list(e2e_by_device.values())
    lat_n = last["lat_count"] - first["lat_count"]
    published = _published(o.sim_out)
    summary = {
        "label": o.label,
        "window_s": [round(lo, 1), round(hi, 1)],
        "host_cpu_pct": mean("host_cpu"),
        "mosquitto_cpu_pct": mean("mosquitto_cpu"),
        "sim_cpu_pct": mean("sim_cpu"),
        "other_cpu_pct": mean("other_cpu"),
        "rss_mib_max": max((s["rss_mib"] or 0) for s in samples),
        "stored_per_s": mean("stored_per_s"),
        "queue_max": max(s["queue"] for s in samples),
        "queue_mean": mean("queue"),
        "published_readings": published,
        "stored_readings": samples[-1]["stored_total"],
        "unstored_at_sim_exit": (published - next((s["stored_total"] for s in samples if not s["sim_running"]), samples[-1]["stored_total"])) if published is not None else None,
        "drain_s": (drained - sim_exit) if drained and sim_exit else None,
        "probes": probes,
        "alarms_found": len(e2e),
        "alarm_e2e_ms_p50": pct(e2e, 50),
        "alarm_e2e_ms_p99": pct(e2e, 99),
        "alarm_e2e_ms_max": max(e2e) if e2e else None,
        "alarm_internal_mean_ms": (last["lat_sum"] - first["lat_sum"]) / lat_n * 1000 if lat_n else None,
    }
    print(json.dumps({k: (round(v, 2) if isinstance(v, float) else v) for k, v in summary.items()}))


def other_cpu(before, after, delta, own, dt):
    """Every other process's CPU in the interval, % of one core. A process that exited is counted again in its
    parent's cutime/cstime when reaped, so what was already seen of it is taken off; capped at what the cores leave."""
    ticks_ = sum(max(0, v) for pid, v in delta.items() if pid not in own)
    ticks_ -= sum(t for pid, t in before.items() if pid not in after and pid not in own)
    cap = os.cpu_count() * 100 - sum(delta.get(pid, 0) / TCK / dt * 100 for pid in own)
    return min(max(0, ticks_) / TCK / dt * 100, max(0, cap))


def poll_alarms(o, found):
    """End-to-end latency of each probe alarm not yet seen, while it is still at escalation level 0."""
    with urllib.request.urlopen(o.http + "/api/alarms?state=all&site=probe&limit=5000", timeout=10) as r:
        alarms = json.loads(r.read())
    for al in alarms:
        device = str(al.get("device", ""))
        if device.startswith(o.probe_prefix) and device not in found and al.get("escalationLevel", 0) == 0:
            raised = datetime.fromisoformat(al["raisedAt"].replace("Z", "+00:00"))
            updated = datetime.fromisoformat(al["updatedAt"].replace("Z", "+00:00"))
            found[device] = (updated - raised).total_seconds() * 1000


def _published(path):
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("{"):
                    return json.loads(line).get("readings")
    except (OSError, ValueError):
        pass
    return None


if __name__ == "__main__":
    sys.exit(main())
