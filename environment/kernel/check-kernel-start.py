#!/usr/bin/python3
"""Start the `ganlab` kernel N times and report how long each took to answer kernel_info.

    environment/kernel/check-kernel-start.py [N] [--timeout S]

A start counts as failed when the kernel dies or does not answer within the timeout. Prints one
line per start and a summary (starts, failures, median and worst ready time); exits non-zero on
any failure. Use it after changing the kernelspec or the kernel patch, ideally with the machine
busy (e.g. a test run in parallel), since the start-up races show up under load.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

import jupyter_client

KERNEL = os.environ.get("GANLAB_KERNEL_NAME", "ganlab")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", nargs="?", type=int, default=10)
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args()
    times, failures = [], 0
    logs = tempfile.mkdtemp(prefix="ganlab-kernel-start-")
    for i in range(args.n):
        started = time.time()
        log_path = os.path.join(logs, f"start-{i}.log")
        with open(log_path, "w") as log:
            km = jupyter_client.KernelManager(kernel_name=KERNEL)
            km.start_kernel(stdout=log, stderr=log)
            kc = km.client()
            kc.start_channels()
            try:
                kc.wait_for_ready(timeout=args.timeout)
                times.append(time.time() - started)
                print(f"start {i}: ready in {times[-1]:.1f} s", flush=True)
            except RuntimeError as e:
                failures += 1
                print(f"start {i}: FAILED ({e}); kernel log {log_path}", flush=True)
            finally:
                kc.stop_channels()
                km.shutdown_kernel(now=True)
    if times:
        print(f"{args.n} starts, {failures} failed; ready median {statistics.median(times):.1f} s, "
              f"worst {max(times):.1f} s")
    else:
        print(f"{args.n} starts, all failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
