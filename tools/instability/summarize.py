"""The instability benchmark's table: per run, the first attention-health alert, where its loss departs from its
QK-norm twin (the 5-step mean at least 10 % above the twin's), the lead, and false alerts.

Reads every run's reports and alerts from headgeo.reports / headgeo.alerts (read_committed, from the beginning) and
the per-step losses the training runs wrote. A run counts as collapsing when its loss departs from its twin's; a
health alert in a run that does not depart (a QK-norm twin, or a low rate) is a false alert.
"""

import argparse
import json
import sys
import time

from confluent_kafka import Consumer, TopicPartition
from headgeo.reports import ReportDecoder

HEALTH = ("ENTROPY_COLLAPSE", "LOGIT_GROWTH")
WINDOW = 5
DEPARTS = 1.10


def read_topic(bootstrap, topic, decode, until, timeout):
    """Every record of the topic (all partitions) until ``until(records)`` holds or the time is up."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": "instability-bench",
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
        }
    )
    metadata = consumer.list_topics(topic, timeout=10)
    consumer.assign([TopicPartition(topic, p, 0) for p in metadata.topics[topic].partitions])
    records, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline and not until(records):
        for m in consumer.consume(500, 1.0):
            if m.error() is None and m.value() is not None:
                records.append(decode(m.value()))
    consumer.close()
    return records


def departure(loss, twin):
    steps = sorted(set(loss) & set(twin))
    for i, s in enumerate(steps):
        window = steps[max(0, i - WINDOW + 1) : i + 1]
        if sum(loss[w] for w in window) >= DEPARTS * sum(twin[w] for w in window):
            return s
    return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bootstrap-servers", required=True)
    p.add_argument("--steps", type=int, required=True)
    p.add_argument("--timeout", type=float, default=180)
    p.add_argument("--json", help="also write the rows here")
    p.add_argument("losses", nargs="+")
    a = p.parse_args()
    runs = []
    for path in a.losses:
        with open(path) as f:
            r = json.load(f)
        r["loss"] = {int(k): v for k, v in r["loss"].items()}
        runs.append(r)
    ids = {r["run_id"] for r in runs}
    decoder = ReportDecoder()
    reports = read_topic(
        a.bootstrap_servers,
        "headgeo.reports",
        decoder.decode,
        lambda got: {(x["run_id"]) for x in got if x["checkpoint"] == a.steps} >= ids,
        a.timeout,
    )
    alerts = read_topic(
        a.bootstrap_servers, "headgeo.alerts", lambda v: json.loads(v) if v[:1] == b"{" else None, lambda got: False, 10
    )
    alerts = [x for x in alerts if x is not None]
    rows = []
    for r in sorted(runs, key=lambda r: (r["family"], r["learning_rate"], r["qk_norm"])):
        twin = next(
            (
                t
                for t in runs
                if t["family"] == r["family"] and t["learning_rate"] == r["learning_rate"] and t["qk_norm"]
            ),
            None,
        )
        departs = None if r["qk_norm"] or twin is None else departure(r["loss"], twin["loss"])
        mine = sorted(
            (x for x in alerts if x["run_id"] == r["run_id"] and x["type"] in HEALTH), key=lambda x: x["checkpoint"]
        )
        first = mine[0] if mine else None
        theirs = [x for x in reports if x["run_id"] == r["run_id"] and x.get("attention_health")]
        states = [x["attention_health"]["state"] for x in theirs]
        min_entropy = min((x["attention_health"]["min_entropy"] for x in theirs), default=None)
        max_logit = max(
            (x["attention_health"]["max_logit"] for x in theirs if x["attention_health"]["max_logit"] is not None),
            default=None,
        )
        rows.append(
            {
                "run": r["run_id"],
                "family": r["family"],
                "qk_norm": r["qk_norm"],
                "learning_rate": r["learning_rate"],
                "first_alert_step": first["checkpoint"] if first else None,
                "first_alert": first["type"] if first else None,
                "heads": first.get("heads", []) if first else [],
                "loss_departs_step": departs,
                "lead_steps": departs - first["checkpoint"] if first and departs is not None else None,
                "false_alerts": len(mine) if departs is None else 0,
                "health_alerts": len(mine),
                "collapsed_checkpoints": states.count("COLLAPSED"),
                "reports": len(theirs),
                "min_entropy": min_entropy,
                "max_logit": max_logit,
                "final_loss": sum(list(r["loss"].values())[-10:]) / min(10, len(r["loss"])),
            }
        )
    print(
        "| family | QK-norm | lr | first health alert (step) | heads | loss departs (step) | lead | false alerts "
        "| COLLAPSED reports | min entropy | max logit | loss, last 10 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")

    def fmt(v, f="{}"):
        return "—" if v is None else f.format(v)

    for x in rows:
        heads = ", ".join(x["heads"][:4]) + (" …" if len(x["heads"]) > 4 else "")
        print(
            f"| {x['family']} | {'yes' if x['qk_norm'] else 'no'} | {x['learning_rate']:g} | "
            f"{fmt(x['first_alert_step'])}{' ' + x['first_alert'] if x['first_alert'] else ''} | {heads or '—'} | "
            f"{fmt(x['loss_departs_step'])} | {fmt(x['lead_steps'])} | {x['false_alerts']} | "
            f"{x['collapsed_checkpoints']}/{x['reports']} | "
            f"{fmt(x['min_entropy'], '{:.3f}')} | {fmt(x['max_logit'], '{:.3g}')} | {x['final_loss']:.3f} |"
        )
    missed = [
        x["run"]
        for x in rows
        if x["loss_departs_step"] is not None and (x["lead_steps"] is None or x["lead_steps"] < 0)
    ]
    false = sum(x["false_alerts"] for x in rows)
    alerted = sum(1 for x in rows if x["lead_steps"] is not None and x["lead_steps"] >= 0)
    departing = sum(1 for x in rows if x["loss_departs_step"] is not None)
    print(f"\ncollapsing runs alerted at or before their loss departs: {alerted} of {departing}; false alerts: {false}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)
    return 1 if missed or false else 0


if __name__ == "__main__":
    sys.exit(main())
