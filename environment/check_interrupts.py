#!/usr/bin/python3
"""Interrupt long notebook calls on the real GAN Lab kernel, as a notebook front end does (issue 15).

    environment/check_interrupts.py [--work DIR]

Drives the kernel (GANLAB_KERNEL_NAME, default `ganlab`) through jupyter_client: starts it, runs a
tiny DCGAN training cell (the synthetic ring), interrupts it (interrupt_request on the control channel, what the stop
button sends), and checks that

  * the cell gets its execute_reply within TRAIN_STOP_BOUND seconds of the interrupt, with a short
    interrupted error (no Java stack trace), and the live display's last line says where it stopped;
  * status.json says `interrupted` at that step;
  * a following cell runs and its output arrives;
  * re-running the training cell continues from the checkpoint and ends with the same history rows
    (every loss of every step, bit for bit) as an uninterrupted run of the same config;

then runs a two-run sweep on worker processes, interrupts it, and checks that the cell ends within
SWEEP_STOP_BOUND seconds, no worker process is left, and both runs say `interrupted`.

Exit status 0 when every check passed; each check prints one line with its measured figure.
"""
import argparse
import csv
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import time

try:
    from jupyter_client.manager import start_new_kernel
except ImportError as e:  # pragma: no cover - environment problem
    sys.exit(f"check_interrupts: {e}. Install Jupyter with environment/setup.sh and run this with /usr/bin/python3.")

KERNEL = os.environ.get("GANLAB_KERNEL_NAME", "ganlab")

# Bounds from the interrupt to the execute_reply. Measured on the 2-core machine while other builds
# ran on it (load average 16-28): training 0.4-1.0 s (the step in progress, the 150 ms monitor pause,
# a checkpoint, the display's last update; 5.7 s at worst in an earlier version), a sweep 1.5-4.4 s
# (SIGTERM to two worker JVMs; each ends its step, checkpoints and exits). The bounds leave room for
# a loaded machine, and more for the sweep, whose workers may still be starting their JVMs.
TRAIN_STOP_BOUND = 15.0
SWEEP_STOP_BOUND = 60.0
STEPS = 40

failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what, flush=True)
    if not ok:
        failures.append(what)


class Cell:
    """One execute_request and what came back for it."""

    def __init__(self, kc, code):
        self.kc = kc
        self.msg_id = kc.execute(code)
        self.code = code
        self.stream = ""
        self.errors = []
        self.html = []
        self.reply = None
        self.idle = False
        self.reply_at = None

    def pump(self, seconds):
        """Collects messages for up to `seconds`; True once the reply and the idle status are in."""
        end = time.time() + seconds
        while time.time() < end and not self.done():
            try:
                m = self.kc.get_iopub_msg(timeout=0.1)
                if m["parent_header"].get("msg_id") == self.msg_id:
                    t, c = m["msg_type"], m["content"]
                    if t == "stream":
                        self.stream += c["text"]
                    elif t == "error":
                        self.errors.append(c)
                    elif t in ("display_data", "update_display_data") and "text/html" in c.get("data", {}):
                        self.html.append(c["data"]["text/html"])
                    elif t == "status" and c["execution_state"] == "idle":
                        self.idle = True
            except queue.Empty:
                pass
            try:
                r = self.kc.get_shell_msg(timeout=0.01)
                if r["parent_header"].get("msg_id") == self.msg_id:
                    self.reply = r["content"]
                    self.reply_at = time.time()
            except queue.Empty:
                pass
        return self.done()

    def done(self):
        return self.reply is not None and self.idle

    def wait(self, seconds, what):
        if not self.pump(seconds):
            raise SystemExit(f"check_interrupts: {what}: no execute_reply within {seconds} s "
                             f"(output so far: {self.stream[-500:]!r})")
        if self.reply["status"] != "ok":
            raise SystemExit(f"check_interrupts: {what} failed: {self.errors or self.reply}")
        return self


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def history(run):
    with open(os.path.join(run, "metrics.csv"), encoding="utf-8") as f:
        return [{k: v for k, v in row.items() if k != "seconds"} for row in csv.DictReader(f)]


def interrupt_when(km, cell, ready, limit, what):
    """Waits until ready() (collecting output), sends interrupt_request; returns its time."""
    end = time.time() + limit
    while not ready():
        if cell.pump(0.2) or time.time() > end:
            raise SystemExit(f"check_interrupts: {what} ended or stalled before it could be interrupted "
                             f"(output: {cell.stream[-500:]!r}, errors: {cell.errors})")
    t = time.time()
    km.interrupt_kernel()
    return t


def workers_alive(sweep_dir):
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return [l.strip() for l in out.splitlines() if "run-spec" in l and sweep_dir in l]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", help="folder for the runs (default: a new temporary folder, removed at the end)")
    args = ap.parse_args()
    work = os.path.abspath(args.work) if args.work else tempfile.mkdtemp(prefix="ganlab-interrupts-")
    os.makedirs(work, exist_ok=True)
    run_dir, ref_dir, sweep_dir = (os.path.join(work, n) for n in ("run", "reference", "sweep"))
    for d in (run_dir, ref_dir, sweep_dir):
        shutil.rmtree(d, ignore_errors=True)

    # One engine thread in the kernel: with two, the engine's results vary from run to run on a loaded
    # machine (GanTrainerTest's resume test failed so on main at load 20+, and passed with
    # GANLAB_THREADS=1), and the exact comparison below would test that instead of the interrupt.
    # Sweep workers get their thread count from the sweep's executor.
    os.environ.setdefault("GANLAB_THREADS", "1")
    km, kc = start_new_kernel(kernel_name=KERNEL, startup_timeout=180)
    try:
        Cell(kc, f"""
// The tiny DCGAN of GanTrainerTest on the synthetic ring (16 px): seconds per run, no data files.
// (A Fashion-MNIST config is not used: its losses from step 2 on differ between runs in one JVM even
// without any interrupt - seen on main too - so a bit-for-bit comparison there tests something else.)
TrainConfig c = new TrainConfig();
c.data = "synthetic:8?perMode=40"; c.batch = 16; c.steps = {STEPS}; c.seed = 7;
c.dcgan.gWidth = 16; c.dcgan.dWidth = 8; c.dcgan.latentDim = 8;
c.logEvery = 1; c.sampleEvery = {STEPS}; c.checkpointEvery = {STEPS}; c.sampleCount = 16; c.eval.metrics = "";
// Prints each step and pauses 150 ms, so the interrupt lands mid-run; it does not touch the losses.
TrainingMonitor paced = new TrainingMonitor() {{
    public void onLog(GanTrainer t, Map<String, Double> row) {{
        System.out.println("step " + row.get("step").longValue());
        try {{ Thread.sleep(150); }} catch (InterruptedException e) {{ Thread.currentThread().interrupt(); }}
    }}
}};
System.out.println("set up");
""").wait(300, "set-up cell")

        train_code = f"""
GanTrainer t = GanTrainer.reopen(c, Path.of("{run_dir}"));
t.addMonitor(new NotebookMonitor()).addMonitor(paced);
t.train();
"""
        cell = Cell(kc, train_code)
        sent = interrupt_when(km, cell, lambda: re.search(r"step (\d+)\n", cell.stream) and
                              int(re.findall(r"step (\d+)\n", cell.stream)[-1]) >= 5, 600, "the training cell")
        cell.pump(TRAIN_STOP_BOUND + 30)
        took = (cell.reply_at - sent) if cell.reply_at else float("inf")
        check(cell.done() and took <= TRAIN_STOP_BOUND,
              f"training cell ended {took:.2f} s after the interrupt (bound {TRAIN_STOP_BOUND} s)")
        check(cell.reply is not None and cell.reply.get("status") == "error" and
              "Interrupted" in cell.reply.get("ename", "") + " ".join(cell.reply.get("traceback", [])),
              f"its execute_reply says interrupted ({cell.reply and cell.reply.get('ename')})")
        trace = "".join("".join(e.get("traceback", [])) for e in cell.errors) + cell.stream
        check("\tat " not in trace and "at dev.ganlab" not in trace, "no Java stack trace in the cell's output")
        status = read_json(os.path.join(run_dir, "status.json"))
        stopped = status.get("step", -1)
        check(status.get("status") == "interrupted" and 5 <= stopped < STEPS,
              f"status.json: {status.get('status')} at step {stopped}: {status.get('message')}")
        last = cell.html[-1] if cell.html else ""
        check(f"stopped at step {stopped}; train() continues from here" in last,
              "the live display's last line says where training stopped")

        after = Cell(kc, 'System.out.println("still here: " + (6 * 7));').wait(60, "the cell after the interrupt")
        check("still here: 42" in after.stream, f"the next cell prints ({after.stream.strip()!r})")

        again = Cell(kc, train_code).wait(300, "re-running the training cell")
        status = read_json(os.path.join(run_dir, "status.json"))
        check(status.get("status") == "finished" and status.get("step") == STEPS,
              f"the re-run continued from step {stopped} and finished ({status.get('status')} at {status.get('step')})")
        check(f"step {stopped + 1}\n" in again.stream and f"step {stopped}\n" not in again.stream,
              "the re-run started at the checkpoint, not at step 0")

        Cell(kc, f"""
GanTrainer ref = GanTrainer.start(c, Path.of("{ref_dir}"));
ref.addMonitor(new TrainingMonitor() {{}});
ref.train();
ref.close();
""").wait(300, "the uninterrupted reference run")
        a, b = history(run_dir), history(ref_dir)
        same = len(a) == len(b) == STEPS and a == b
        first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), None)
        check(same, f"interrupted + resumed history equals the uninterrupted one ({len(a)} and {len(b)} rows,"
              f" every column but seconds; first difference: {first}); final d_loss {a[-1].get('d_loss')}"
              f" / {b[-1].get('d_loss')}, g_loss {a[-1].get('g_loss')} / {b[-1].get('g_loss')}")

        sweep = Cell(kc, f"""
TrainConfig sb = c.copy();
sb.steps = 100000; sb.logEvery = 1; sb.checkpointEvery = 100000; sb.sampleEvery = 100000;
SweepSpec spec = SweepSpec.named("interrupt-check").base(sb).seeds(1, 2).workers(2).out(Path.of("{sweep_dir}"));
SweepResult sr = Sweep.run(spec);
""")

        def both_training():
            steps = []
            for run in os.listdir(sweep_dir) if os.path.isdir(sweep_dir) else []:
                f = os.path.join(sweep_dir, run, "status.json")
                if os.path.isfile(f):
                    try:
                        s = read_json(f)
                    except ValueError:
                        continue
                    if s.get("status") == "running" and s.get("step", 0) >= 1:
                        steps.append(run)
            return len(steps) == 2

        sent = interrupt_when(km, sweep, both_training, 600, "the sweep cell")
        sweep.pump(SWEEP_STOP_BOUND + 60)
        took = (sweep.reply_at - sent) if sweep.reply_at else float("inf")
        check(sweep.done() and took <= SWEEP_STOP_BOUND,
              f"sweep cell ended {took:.2f} s after the interrupt (bound {SWEEP_STOP_BOUND} s)")
        alive = workers_alive(sweep_dir)
        check(not alive, f"no worker process left ({len(alive)} found)")
        runs = sorted(d for d in os.listdir(sweep_dir) if os.path.isfile(os.path.join(sweep_dir, d, "status.json")))
        statuses = {r: read_json(os.path.join(sweep_dir, r, "status.json")).get("status") for r in runs}
        check(len(runs) == 2 and all(s == "interrupted" for s in statuses.values()),
              f"both sweep runs say interrupted: {statuses}")
        after = Cell(kc, 'System.out.println("after the sweep");').wait(60, "the cell after the sweep")
        check("after the sweep" in after.stream, "the next cell prints after the sweep")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"check_interrupts: {len(failures)} check(s) failed", flush=True)
        sys.exit(1)
    print("check_interrupts: all checks passed", flush=True)


if __name__ == "__main__":
    main()
