#!/usr/bin/python3
"""The baseline: what a club volunteer would write instead of Touchline.

A paho-mqtt client that takes each tap, inserts it into SQLite, commits,
and publishes the ack. It checks what a careful volunteer would (JSON,
known reader, known card) and no more. Run with Debian's python3 and
python3-paho-mqtt:

    /usr/bin/python3 bench/baseline.py --port P --db FILE
"""
import argparse
import json
import signal
import sqlite3
import sys

import paho.mqtt.client as mqtt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--db", required=True)
    args = ap.parse_args()

    db = sqlite3.connect(args.db)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")

    def on_connect(client, userdata, flags, rc):
        client.subscribe("touchline/v1/+/+/tap", qos=1)
        print("baseline: subscribed", file=sys.stderr, flush=True)

    def on_message(client, userdata, msg):
        try:
            tap = json.loads(msg.payload)
        except ValueError:
            return
        _, _, site, reader, _ = msg.topic.split("/")
        row = db.execute(
            "SELECT p.id, p.code FROM card c JOIN participant p ON p.id = c.participant"
            " WHERE c.token = ?", (tap["card"],)).fetchone()
        cur = db.execute(
            "INSERT OR IGNORE INTO tap (id, site, reader, card, participant, ts, seq,"
            " received_at) VALUES (?, ?, ?, ?, ?, strftime('%s', ?), ?, strftime('%s', 'now'))",
            (tap["id"], site, reader, tap["card"], row[0] if row else None, tap["ts"],
             tap["seq"]))
        db.commit()
        ack = {"v": 1, "id": tap["id"],
               "status": "recorded" if cur.rowcount else "duplicate"}
        if row:
            ack["participant"] = row[1]
        client.publish(f"touchline/v1/{site}/{reader}/ack", json.dumps(ack), qos=1)

    client = mqtt.Client(client_id="baseline", clean_session=True)
    client.on_connect = on_connect
    client.on_message = on_message
    client.max_inflight_messages_set(0)
    client.connect("127.0.0.1", args.port)
    signal.signal(signal.SIGTERM, lambda *a: client.disconnect())
    client.loop_forever()


if __name__ == "__main__":
    main()
