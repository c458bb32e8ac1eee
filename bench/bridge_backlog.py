#!/usr/bin/python3
"""A reader coming back with a backlog: time to drain it, and the live taps'
tap-to-ack latency meanwhile.

The spool is given BACKLOG taps (as a reader offline for a while would
have), then the real touchline-bridge starts on it against a running
broker and collector while a card is tapped RATE times a second. Each
live tap uses its own enrolled card, so the participant code on the
coach's line ("recorded: P-..." at once, or "sent (tap of ...) recorded:
P-..." when the ack came after the ack wait) says which tap was acked.
An observer subscribed to the reader's ack topic counts the backlog's
acks. Live taps go on until the backlog is drained (at most MAX_S
seconds). Prints key=value results.

    bridge_backlog.py prepare BRIDGE KEY SPOOL DB BACKLOG LIVE
        (makes the spool; enrols LIVE cards in DB, the collector's)
    bridge_backlog.py run BRIDGE KEY SPOOL PORT RATE MAX_S [BRIDGE-OPTION...]
"""
import hashlib
import hmac
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import uuid

import paho.mqtt.client as mqtt

SITE, READER = "site-00", "reader-0"
LIVE_PID0 = 5001  # live tap i is credited to participant LIVE_PID0 + i


def live_uid(i):
    return "04bb%010x" % i


def prepare(bridge, key, spool, db, backlog, live):
    # The bridge makes its own spool (schema, lock, mode), unreachable broker.
    for f in (spool, spool + "-wal", spool + "-shm"):
        if os.path.exists(f):
            os.unlink(f)
    proc = subprocess.Popen(
        [bridge, "--reader", "sim:/dev/null", "--site", SITE, "--id", READER,
         "--key-file", key, "--spool", spool, "--port", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        time.sleep(0.05)
        try:
            c = sqlite3.connect(spool)
            if c.execute("SELECT count(*) FROM meta").fetchone()[0] > 0:
                c.close()
                break
            c.close()
        except sqlite3.Error:
            pass
    proc.terminate()
    proc.wait()
    # A reader offline for a while: BACKLOG taps of enrolled cards, an
    # earlier boot's (so none is re-timed), a tap every second or so.
    now = int(time.time())
    c = sqlite3.connect(spool)
    c.executemany(
        "INSERT INTO tap (id, seq, site, reader, card, ts, boot, mono_ms)"
        " VALUES (?, ?, ?, ?, ?, ?, 'earlier-boot', 0)",
        [(str(uuid.uuid4()), i + 1, SITE, READER, "%032x" % (i % 5000 + 1),
          now - backlog + i) for i in range(backlog)])
    c.execute("UPDATE meta SET value = ? WHERE name = 'next_seq'", (backlog + 1,))
    c.commit()
    c.close()
    # The live cards, each held by its own participant.
    k = bytes.fromhex(open(key).read().strip())
    c = sqlite3.connect(db)
    c.executemany(
        "INSERT INTO card (token, participant, enrolled_at) VALUES (?, ?, 0)",
        [(hmac.new(k, bytes.fromhex(live_uid(i)), hashlib.sha256).hexdigest()[:32],
          LIVE_PID0 + i) for i in range(live)])
    c.commit()
    c.close()
    return 0


def percentile(xs, p):
    return xs[min(len(xs) - 1, (len(xs) * p) // 100)] if xs else 0.0


def run(bridge, key, spool, port, rate, max_s, extra):
    c = sqlite3.connect(spool)
    backlog = {r[0] for r in c.execute("SELECT id FROM tap")}
    c.close()
    lock = threading.Lock()
    acked, dups = set(), [0]
    last_backlog_ack = [0.0]

    def on_message(_client, _userdata, msg):
        try:
            a = json.loads(msg.payload)
        except ValueError:
            return
        t = time.monotonic()
        with lock:
            if a.get("id") not in backlog:
                return
            if a["id"] in acked:
                dups[0] += 1
            else:
                acked.add(a["id"])
                last_backlog_ack[0] = t

    subscribed = threading.Event()
    obs = mqtt.Client(client_id="bench-backlog-observer", clean_session=True)
    obs.on_message = on_message
    obs.on_subscribe = lambda *_: subscribed.set()
    obs.connect("127.0.0.1", int(port))
    obs.subscribe("touchline/v1/%s/%s/ack" % (SITE, READER), qos=1)
    obs.loop_start()
    subscribed.wait(10)

    start = time.monotonic()
    proc = subprocess.Popen(
        [bridge, "--reader", "sim:-", "--site", SITE, "--id", READER,
         "--key-file", key, "--spool", spool, "--port", str(port), "--debounce", "0",
         "--spool-max", str(len(backlog) * 2)] + extra,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        bufsize=0)
    connected = [None]
    live_ack = {}

    def read_err():
        for line in proc.stderr:
            if connected[0] is None and b"subscribed to" in line:
                connected[0] = time.monotonic()

    def read_out():
        for line in proc.stdout:
            s = line.decode(errors="replace")
            if "recorded: P-" in s:
                code = int(s.split("recorded: P-")[1].split(",")[0].split()[0])
                live_ack.setdefault(code - LIVE_PID0, time.monotonic())

    threads = [threading.Thread(target=read_err, daemon=True),
               threading.Thread(target=read_out, daemon=True)]
    for t in threads:
        t.start()
    sent = []
    i = 0
    drained_at = None
    while time.monotonic() - start < max_s:
        due = start + i / rate
        while time.monotonic() < due:
            time.sleep(0.001)
        sent.append(time.monotonic())
        proc.stdin.write((live_uid(i) + "\n").encode())
        i += 1
        with lock:
            if drained_at is None and len(acked) == len(backlog):
                drained_at = last_backlog_ack[0]
        if drained_at is not None and time.monotonic() > drained_at + 1:
            break
    time.sleep(2)  # the last live taps' acks
    proc.terminate()
    proc.wait()
    obs.loop_stop()
    obs.disconnect()
    t0 = connected[0] or start
    with lock:
        n_acked, n_dups = len(acked), dups[0]
    # Live taps made after the connection and before the drain ended.
    end = drained_at if drained_at is not None else sent[-1]
    lat = sorted((live_ack[j] - sent[j]) * 1000 for j in range(len(sent))
                 if j in live_ack and t0 <= sent[j] <= end)
    missing = sum(1 for j in range(len(sent)) if j not in live_ack and sent[j] <= end)
    print("backlog=%d acked=%d drained=%s drain_s=%.2f dup_acks=%d live=%d live_unacked=%d "
          "live_p50_ms=%.1f live_p99_ms=%.1f live_max_ms=%.1f" % (
              len(backlog), n_acked, "yes" if drained_at is not None else "no",
              ((drained_at if drained_at is not None else time.monotonic()) - t0),
              n_dups, len(lat), missing, percentile(lat, 50), percentile(lat, 99),
              lat[-1] if lat else 0.0))
    return 0 if drained_at is not None and missing == 0 else 1


def main():
    if len(sys.argv) >= 8 and sys.argv[1] == "prepare":
        return prepare(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5],
                       int(sys.argv[6]), int(sys.argv[7]))
    if len(sys.argv) >= 8 and sys.argv[1] == "run":
        return run(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5],
                   float(sys.argv[6]), float(sys.argv[7]), sys.argv[8:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
