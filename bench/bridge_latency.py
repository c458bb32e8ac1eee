#!/usr/bin/python3
"""Tap-to-feedback latency at the bridge, and its memory.

Runs touchline-bridge with the sim reader on a pipe, writes one card UID
at a time and times until the coach's feedback line appears on the
bridge's stdout. Every tap is written to the spool (synchronous=FULL, so
an fsync) before any feedback. Prints key=value results.

    bridge_latency.py BRIDGE KEY SPOOL PORT TAPS [BRIDGE-OPTION...]
        (PORT: a broker, or a closed port = offline)
"""
import os
import subprocess
import sys
import time


def main():
    bridge, key, spool, port, taps = sys.argv[1:6]
    extra = sys.argv[6:]  # more bridge options, e.g. --host and --cafile
    taps = int(taps)
    proc = subprocess.Popen(
        [bridge, "--reader", "sim:-", "--site", "site-00", "--id", "reader-0",
         "--key-file", key, "--spool", spool, "--port", port, "--debounce", "0",
         "--spool-max", str(taps * 2)] + extra,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        bufsize=0)
    time.sleep(1.0)  # let it connect (or fail to)
    lat = []
    for i in range(taps):
        uid = "04%012x" % i
        t0 = time.perf_counter()
        proc.stdin.write((uid + "\n").encode())
        line = proc.stdout.readline()
        if not line:
            break
        lat.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.01)
    with open("/proc/%d/status" % proc.pid) as f:
        status = dict(l.split(":", 1) for l in f)
    rss = status["VmRSS"].split()[0]
    anon = status["RssAnon"].split()[0]  # its own pages, not shared libraries
    proc.terminate()
    proc.wait()
    lat.sort()
    n = len(lat)
    print("taps=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f rss_kb=%s anon_kb=%s" % (
        n, lat[n // 2], lat[(n * 99) // 100], lat[-1], rss, anon))
    return 0 if n == taps else 1


if __name__ == "__main__":
    sys.exit(main())
