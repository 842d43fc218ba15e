"""Prints, for lib/BENCHMARKS.md, each benchmarked training step's demand for images against what the data
loader serves at that size (environment/bench/run-benchmarks.sh).

    /usr/bin/python3 environment/bench/loader_vs_steps.py OUT_DIR

OUT_DIR holds the JSON files of `ganlab bench` training steps (model, resolution, batch, imagesPerSecond) and
loader.json of `ganlab bench --op loader`. A step at a size between the loader's sizes is compared with the
next larger size (more bytes per image, so the loader's figure there is a lower bound).
"""
import glob
import json
import os
import sys

out = sys.argv[1]
loader = json.load(open(os.path.join(out, "loader.json")))
steps = []
for f in sorted(glob.glob(os.path.join(out, "*.json"))):
    if os.path.basename(f) == "loader.json":
        continue
    o = json.load(open(f))
    if isinstance(o, dict) and "imagesPerSecond" in o and "model" in o:
        steps.append(o)
sizes = sorted({r["size"] for r in loader})
print("| step (this machine) | step consumes | loader size | from memory | from disk cache | decode per batch |")
print("|---|---:|---:|---:|---:|---:|")
seen = set()
for s in sorted(steps, key=lambda o: (o["resolution"], o["model"])):
    key = (s["model"], s["resolution"], s["batch"])
    if key in seen:
        continue
    seen.add(key)
    size = next((z for z in sizes if z >= s["resolution"]), None)
    if size is None:
        continue
    rows = [r for r in loader if r["size"] == size]
    lo = lambda k: min(r[k] for r in rows)
    d = s["imagesPerSecond"]
    print(f"| {s['model']} {s['resolution']} px, batch {s['batch']} | {d:.1f} img/s | {size} px | "
          f"{lo('fromMemory'):.0f} ({lo('fromMemory') / d:.0f}x) | {lo('fromCache'):.0f} ({lo('fromCache') / d:.0f}x) | "
          f"{lo('decodePerBatch'):.0f} ({lo('decodePerBatch') / d:.1f}x) |")
print()
print("Loader figures are the slower of PNG and JPEG; in brackets, how many times the step's demand they cover.")
