#!/usr/bin/python3
"""Per-operator time of two PyTorch profiler traces side by side: GAN Lab's (`ganlab bench --trace A
--profile-steps K`) and a peer's (`*_peer.py --trace B --profile-steps K`), to find where one side
spends more.

    trace_ops.py A.json B.json [--steps K] [--top 30]

For each operator name: calls per step and milliseconds per step of self time (the event's duration
minus that of the events nested in it on the same thread), so nested calls (aten::conv2d ->
aten::convolution -> aten::mkldnn_convolution) are not counted twice; and the total per step.
"""
import argparse
import collections
import json


def self_times(path):
    with open(path) as fh:
        data = json.load(fh)
    events = data["traceEvents"] if isinstance(data, dict) else data
    by_thread = collections.defaultdict(list)
    for e in events:
        if e.get("ph", "X") == "X" and "dur" in e and "ts" in e:
            by_thread[e.get("tid")].append((float(e["ts"]), float(e["dur"]), e.get("name", "?")))
    total = collections.Counter()
    calls = collections.Counter()
    for spans in by_thread.values():
        spans.sort(key=lambda s: (s[0], -s[1]))
        stack = []       # [end, name, child time]
        for ts, dur, name in spans:
            while stack and ts >= stack[-1][0]:
                end, n, child, d = stack.pop()
                total[n] += d - child
            if stack:
                stack[-1][2] += dur
            stack.append([ts + dur, name, 0.0, dur])
            calls[name] += 1
        while stack:
            end, n, child, d = stack.pop()
            total[n] += d - child
    return total, calls


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--steps", type=int, default=2, help="steps each trace covers")
    ap.add_argument("--top", type=int, default=30)
    a = ap.parse_args()
    ta, ca = self_times(a.a)
    tb, cb = self_times(a.b)
    k = a.steps * 1000.0
    names = sorted(set(ta) | set(tb), key=lambda n: -max(ta[n], tb[n]))
    print(f"{'operator (self time)':<44} {'A ms/step':>10} {'calls':>7} {'B ms/step':>10} {'calls':>7}")
    for n in names[:a.top]:
        print(f"{n[:44]:<44} {ta[n] / k:>10.1f} {ca[n] / a.steps:>7.0f} {tb[n] / k:>10.1f} {cb[n] / a.steps:>7.0f}")
    print(f"{'all operators':<44} {sum(ta.values()) / k:>10.1f} {sum(ca.values()) / a.steps:>7.0f}"
          f" {sum(tb.values()) / k:>10.1f} {sum(cb.values()) / a.steps:>7.0f}")


if __name__ == "__main__":
    main()
