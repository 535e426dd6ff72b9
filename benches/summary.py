#!/usr/bin/env python3
"""Summarise the criterion results of benches/peers.rs and benches/deflate.rs
as Markdown tables.

Reads target/criterion/<group>/<entry>/new/{benchmark,estimates}.json (the
median of the last run), prints per workload each implementation's figure
(ns per element, or GB/s for byte throughput) and the ratio ours / best peer;
then, for the permessage-deflate groups, Z1 (inflate) as ours against bare
miniz_oxide (the decompressor wsframe wraps) and Z2 (compress) as our speed
against zlib levels 1 and 6.
Usage: python3 benches/summary.py [target/criterion]
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")
ORDER = ["W1", "W2", "W3", "W4", "W4t", "W5", "W6-16B", "W6-64KiB"]
OURS = "wsframe"
# Entries that are ours but not the headline (reported, not compared).
OURS_EXTRA = {"wsframe-frame", "wsframe+simdutf8"}
# Our variants that get a row of their own (ratios against the same peers).
VARIANTS = ["wsframe", "wsframe+simdutf8"]
# Peers whose decode path checks UTF-8 on text, as wsframe does.
VALIDATING = {"tungstenite", "fastwebsockets", "websocketz"}
TARGETS = {
    "W1": "<= 0.8", "W2": ">= 1.0", "W3": "<= 1.0", "W4": ">= 1.0",
    "W4t": ">= 1.0", "W5": "<= 1.0 (portable SHA-1 peers)",
    "W6-16B": "best", "W6-64KiB": "best",
}


Z2 = ["Z2-json", "Z2-prose"]


def load():
    groups = {}
    for bench in ROOT.glob("*/*/new/benchmark.json"):
        meta = json.loads(bench.read_text())
        est = json.loads((bench.parent / "estimates.json").read_text())
        group, entry = meta["group_id"], meta["function_id"]
        if group not in ORDER and group != "Z1" and group not in Z2:
            continue
        tp = meta.get("throughput") or {}
        ns = est["median"]["point_estimate"]
        if "Bytes" in tp:
            value, unit, better = tp["Bytes"] / ns, "GB/s", max
        else:
            value, unit, better = ns / tp.get("Elements", 1), "ns/op", min
        groups.setdefault(group, {})[entry] = (value, unit, better)
    return groups


def deflate(groups):
    """Z1: each of our entries against bare miniz_oxide; Z2: our speed
    against zlib's (throughput ratios: above 1 is faster)."""
    z1 = groups.get("Z1")
    if z1:
        print()
        print("Z1 inflate of a compressed 64 KiB text message (GB/s of inflated output):")
        print()
        print("| entry | GB/s | / miniz_oxide-window | overhead | / miniz_oxide-flat | overhead |")
        print("|---|---:|---:|---:|---:|---:|")
        window = z1.get("miniz_oxide-window", (None,))[0]
        flat = z1.get("miniz_oxide-flat", (None,))[0]
        for name, (value, _, _) in sorted(z1.items(), key=lambda kv: -kv[1][0]):
            cells = []
            for base in (window, flat):
                if base:
                    # Throughput ratio, and the extra time per message.
                    cells.append(f"{value / base:.3f} | {base / value - 1:+.1%}")
                else:
                    cells.append("– | –")
            print(f"| {name} | {value:.3g} | {' | '.join(cells)} |")
    rows = [(g, groups[g]) for g in Z2 if g in groups]
    if rows:
        print()
        print("Z2 compress (MB/s of input; ratios are our speed / zlib's):")
        print()
        print("| input | entry | MB/s | / zlib-1 | / zlib-6 |")
        print("|---|---|---:|---:|---:|")
        for g, entries in rows:
            z1_, z6 = (entries.get(k, (None,))[0] for k in ("zlib-1", "zlib-6"))
            for name, (value, _, _) in sorted(entries.items(), key=lambda kv: -kv[1][0]):
                r1 = f"{value / z1_:.2f}" if z1_ else "–"
                r6 = f"{value / z6:.2f}" if z6 else "–"
                print(f"| {g} | {name} | {value * 1000:.0f} | {r1} | {r6} |")


def main():
    groups = load()
    if not any(g in groups for g in ORDER):
        deflate(groups)
        return
    print("| workload | target | wsframe | best peer | ours/best | "
          "best UTF-8-checking peer | ours/it | all entries (best first) |")
    print("|---|---|---:|---|---:|---|---:|---|")
    for g, variant in [(g, v) for g in ORDER for v in VARIANTS]:
        if g not in groups:
            continue
        entries = groups[g]
        ours = entries.get(variant)
        peers = {k: v for k, v in entries.items() if k != OURS and k not in OURS_EXTRA}
        if not ours or not peers:
            continue
        unit, better = ours[1], ours[2]
        best_name = better(peers, key=lambda k: peers[k][0])
        best = peers[best_name][0]
        ratio = ours[0] / best
        listing = ", ".join(
            f"{k} {v[0]:.3g}" for k, v in sorted(
                entries.items(), key=lambda kv: kv[1][0], reverse=better is max))
        checking = {k: v for k, v in peers.items() if k in VALIDATING}
        if checking and g not in ("W2", "W3", "W4", "W5", "W6-64KiB"):
            c_name = better(checking, key=lambda k: checking[k][0])
            c_col = f"{c_name} {checking[c_name][0]:.3g} | {ours[0] / checking[c_name][0]:.2f}"
        else:
            c_col = "– | –"
        label = g if variant == OURS else f"{g}, {variant}"
        print(f"| {label} ({unit}) | {TARGETS.get(g, '')} | {ours[0]:.3g} | "
              f"{best_name} {best:.3g} | {ratio:.2f} | {c_col} | {listing} |")
    deflate(groups)


if __name__ == "__main__":
    main()
