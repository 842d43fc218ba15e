#!/usr/bin/python3
"""Runs the reproduction job table (jobs.py) and writes lib/REPRODUCTION.md from its results.

    environment/repro/reproduce.py run [--workers 2] [--threads 1] [--only REGEX] [--commit]
    environment/repro/reproduce.py report          # lib/REPRODUCTION.md from lib/reproduction/
    environment/repro/reproduce.py status          # what is done, running, pending

Work comes in units of (job, step budget), each a chain of stages: train to the budget (GAN Lab:
`ganlab train --config RECIPE --resume`; PyTorch: dcgan_peer.py --train, which checkpoints and
resumes), write 10,000 samples of the EMA and of the raw generator, score each with `ganlab
metrics`, record the result. Every finished stage leaves a marker in build/repro/done/, so running
the command again skips what is done and continues a stopped training from its last checkpoint; a unit
whose result is committed in lib/reproduction is done too (on a fresh clone: delete the result to redo it).
The units of a job run in budget order (5k continues the 1k run; for this recipe a run is the same
at step 1000 whatever its final length); units of different jobs run side by side, --workers at a
time, smaller budgets first.

Results (JSON per unit, a 64-sample grid per unit) go to lib/reproduction/ and are committed; run
folders, samples, checkpoints and logs stay under build/repro/ (git-ignored). Uses the jar built in
this checkout (lib/target/ganlab.jar) and the Python peer in environment/bench/.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import jobs as J  # noqa: E402
import report as R  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
JAR = os.path.join(ROOT, "lib", "target", "ganlab.jar")
PEER = os.path.join(ROOT, "environment", "bench", "dcgan_peer.py")
BUILD = os.path.join(ROOT, "build", "repro")
RESULTS = os.path.join(ROOT, "lib", "reproduction")
PYTHON = "/usr/bin/python3"

_children = set()
_children_lock = threading.Lock()
_stopping = threading.Event()


def run_dir(j):
    return os.path.join(BUILD, "runs", j["id"])


def unit_name(j, budget):
    return f"{j['id']}/step{budget}"


def marker(j, budget, stage):
    return os.path.join(BUILD, "done", j["id"], f"step{budget}.{stage}")


def is_done(j, budget, stage):
    return os.path.exists(marker(j, budget, stage))


def recorded(j, budget):
    """A unit is done when build/ has its marker or its result is committed in lib/reproduction (a fresh clone
    has the results but no build/): running again does not redo it. Delete the result to run it again."""
    return is_done(j, budget, "recorded") or os.path.exists(result_path(j, budget))


def mark(j, budget, stage):
    os.makedirs(os.path.dirname(marker(j, budget, stage)), exist_ok=True)
    with open(marker(j, budget, stage), "w") as fh:
        fh.write(datetime.datetime.now(datetime.timezone.utc).isoformat() + "\n")


def result_path(j, budget):
    return os.path.join(RESULTS, j["recipe"], f"{j['impl']}-seed{j['seed']}-step{budget}.json")


TCMALLOC = "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4"


def env_for(threads, python=False):
    e = dict(os.environ)
    e.update({"GANLAB_THREADS": str(threads), "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)})
    if python and os.path.exists(TCMALLOC) and e.get("GANLAB_ALLOCATOR") != "system":
        # the C allocator GAN Lab's engine commands restart themselves with, as run-benchmarks.sh gives the peer
        e["LD_PRELOAD"] = TCMALLOC
    return e


def sh(cmd, log, threads, extra_env=None):
    """Runs a command (its output appended to log); raises on a non-zero exit."""
    if _stopping.is_set():
        raise InterruptedError("stopping")
    os.makedirs(os.path.dirname(log), exist_ok=True)
    with open(log, "a") as fh:
        fh.write(f"\n+ {' '.join(cmd)}   # {datetime.datetime.now(datetime.timezone.utc).isoformat()}\n")
        fh.flush()
        p = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env={**env_for(threads, cmd[0] == PYTHON), **(extra_env or {})}, cwd=ROOT,
                             start_new_session=True)
        with _children_lock:
            _children.add(p)
        try:
            rc = p.wait()
            # GAN Lab's engine commands re-launch themselves (with TCMalloc) in the same process group; on
            # a stop the inner JVM may still be writing its checkpoint: wait until the whole group is gone.
            for _ in range(240):
                try:
                    os.killpg(p.pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.5)
        finally:
            with _children_lock:
                _children.discard(p)
    if rc != 0 and _stopping.is_set():
        # Stopped by us (SIGTERM/SIGINT to the driver): GAN Lab has checkpointed and marked the run
        # interrupted; the next `run` resumes it.
        raise InterruptedError(f"stopped: {' '.join(cmd)} (log: {log})")
    if rc != 0:
        raise RuntimeError(f"exit {rc}: {' '.join(cmd)} (log: {log})")


def java(*args, threads):
    return ["java", "-Xmx1g", "-jar", JAR, *args, "--threads", str(threads)]


def git_commit_of_checkout():
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "unknown"


# ---- Stages -------------------------------------------------------------------------------------

def train(j, budget, threads, log, commands):
    d = run_dir(j)
    os.makedirs(d, exist_ok=True)
    recipe = os.path.join(d, f"recipe-step{budget}.json")
    with open(recipe, "w") as fh:
        json.dump(J.config_for(j, budget), fh, indent=2)
    if j["impl"].startswith("ganlab"):
        resume = ["--resume"] if os.path.isdir(os.path.join(d, "checkpoints")) else []
        cmd = java("train", "--config", recipe, "--out", d, *resume, threads=threads)
    else:
        keep = ",".join(str(b) for b in j["budgets"])
        cmd = [PYTHON, PEER, "--train", "--recipe", recipe, "--run", d, "--steps", str(budget), "--keep", keep,
               "--threads", str(threads)]
    commands.append(" ".join(cmd))
    for attempt in range(1 + RETRIES_AFTER_NAN):
        try:
            sh(cmd, log, threads, J.IMPL_ENV[j["impl"]])
            break
        except RuntimeError:
            sf = os.path.join(d, "status.json")
            status = json.load(open(sf)) if os.path.exists(sf) else {}
            if not j["impl"].startswith("ganlab") or status.get("status") != "diverged" or attempt == RETRIES_AFTER_NAN:
                raise
            # Seen once (seed 1, step 72, right after a resume): a NaN that did not come back when the
            # same checkpoint was resumed again. GAN Lab's resume is exact, so a NaN of the recipe itself
            # recurs and still fails the unit; each one is recorded in the result.
            note_divergence(d, status, budget)
            cmd = java("train", "--config", recipe, "--out", d, "--resume", threads=threads)
            commands.append(" ".join(cmd) + "   # again after the divergence")
    status = json.load(open(os.path.join(d, "status.json")))
    if status.get("step") != budget or status.get("status") not in ("finished", None):
        raise RuntimeError(f"{d}: status {status} after training to {budget}")


RETRIES_AFTER_NAN = 2


def note_divergence(d, status, budget):
    path = os.path.join(d, "divergences.json")
    seen = json.load(open(path)) if os.path.exists(path) else []
    seen.append({"budget": budget, "step": status.get("step"), "message": status.get("message"),
                 "when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")})
    with open(path, "w") as fh:
        json.dump(seen, fh, indent=2)


def samples_dir(j, budget, gen):
    return os.path.join(BUILD, "samples", j["id"], f"step{budget}-{gen}")


def sample(j, budget, gen, threads, log, commands):
    d, out = run_dir(j), samples_dir(j, budget, gen)
    shutil.rmtree(out, ignore_errors=True)
    n, seed = J.SCORING["n"], J.SCORING["sample_seed"]
    if j["impl"].startswith("ganlab"):
        status = json.load(open(os.path.join(d, "status.json")))
        if status.get("step") != budget:
            raise RuntimeError(f"{d} is at step {status.get('step')}, not {budget}: cannot sample step {budget}")
        cmd = java("sample", "--run", d, "--n", str(n), "--out", out, "--seed", str(seed),
                   *(["--ema"] if gen == "ema" else []), threads=threads)
    else:
        grid = os.path.join(d, f"grid-step{budget}-{gen}.png")
        cmd = [PYTHON, PEER, "--sample", "--run", d, "--at-step", str(budget), "--n", str(n), "--out", out,
               "--generator", gen, "--sample-seed", str(seed), "--grid", grid, "--threads", str(threads)]
    commands.append(" ".join(cmd))
    sh(cmd, log, threads, J.IMPL_ENV[j["impl"]])
    got = len([f for f in os.listdir(out) if f.endswith(".png")])
    if got != n:
        raise RuntimeError(f"{out} holds {got} PNG files, expected {n}")


def score(j, budget, gen, threads, log, commands):
    out = os.path.join(run_dir(j), f"scores-step{budget}-{gen}.json")
    s = J.SCORING
    cmd = java("metrics", "--real", s["real"], "--fake", samples_dir(j, budget, gen), "--metrics", s["metrics"],
               "--features", s["features"], "--n", str(s["n"]), "--seed", str(s["seed"]), "--json", out,
               threads=threads)
    commands.append(" ".join(cmd))
    sh(cmd, log, threads)


def unpinned(j, budget):
    """Settings of the run's resolved config.json that the recipe does not name (GAN Lab runs only)."""
    cfg_file = os.path.join(run_dir(j), "config.json")
    if not j["impl"].startswith("ganlab") or not os.path.exists(cfg_file):
        return {}
    stored = R.flatten(json.load(open(cfg_file)))
    pinned = R.flatten(J.config_for(j, budget))
    skip = J.RECIPES[j["recipe"]].get("irrelevant", ())
    return {k: v for k, v in stored.items() if k not in pinned and not k.startswith(skip)}


def train_seconds(j, budget):
    """Training seconds to reach the budget, from the run's own log (metrics.csv)."""
    path = os.path.join(run_dir(j), "metrics.csv")
    rows = [line.rstrip("\n").split(",") for line in open(path)]
    head = rows[0]
    for r in rows[1:]:
        if r and r[0] and r[0] != "step" and float(r[head.index("step")]) == budget:
            return float(r[head.index("seconds")])
    return None


def record(j, budget, commands):
    d = run_dir(j)
    scores = {}
    for gen in J.GENERATORS:
        scores[gen] = json.load(open(os.path.join(d, f"scores-step{budget}-{gen}.json")))
    secs = train_seconds(j, budget)
    res = {
        "job": j["id"], "recipe": j["recipe"], "impl": j["impl"], "seed": j["seed"], "steps": budget,
        "config": J.config_for(j, budget), "unpinned": unpinned(j, budget),
        "runStatus": json.load(open(os.path.join(d, "status.json"))),
        "divergences": (json.load(open(os.path.join(d, "divergences.json")))
                        if os.path.exists(os.path.join(d, "divergences.json")) else []),
        "trainSeconds": secs, "msPerStep": None if secs is None else 1000 * secs / budget,
        "scores": scores, "scoring": J.SCORING, "commands": commands,
        "checkout": git_commit_of_checkout(), "machine": R.machine(),
        "finished": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    os.makedirs(os.path.dirname(result_path(j, budget)), exist_ok=True)
    tmp = result_path(j, budget) + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(res, fh, indent=2)
    os.replace(tmp, result_path(j, budget))
    grid_src = (os.path.join(d, "samples", f"step-{budget:08d}.png") if j["impl"].startswith("ganlab")
                else os.path.join(d, f"grid-step{budget}-ema.png"))
    if os.path.exists(grid_src):
        shutil.copyfile(grid_src, result_path(j, budget)[:-5] + ".png")


def run_unit(j, budget, threads):
    name = unit_name(j, budget)
    log = os.path.join(BUILD, "logs", j["id"], f"step{budget}.log")
    commands = []
    if not is_done(j, budget, "train"):
        train(j, budget, threads, log, commands)
        mark(j, budget, "train")
    else:
        commands.append("(trained earlier; see the log)")
    for gen in J.GENERATORS:
        if not is_done(j, budget, f"score-{gen}"):
            sample(j, budget, gen, threads, log, commands)
            score(j, budget, gen, threads, log, commands)
            mark(j, budget, f"score-{gen}")
    record(j, budget, commands)
    mark(j, budget, "recorded")
    say(f"{now()} done {name}")


_print_lock = threading.Lock()


def say(line):
    """One line of the driver's log (worker threads must not interleave their lines)."""
    with _print_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%H:%M:%S")


# ---- Scheduling -----------------------------------------------------------------------------------

def units(only):
    out = []
    for budget in sorted({b for j in J.JOBS for b in j["budgets"]}):
        for j in J.JOBS:
            if budget in j["budgets"] and (only is None or re.search(only, unit_name(j, budget))):
                out.append((j, budget))
    return out


def ready(j, budget, failed):
    earlier = [b for b in j["budgets"] if b < budget]
    return j["id"] not in failed and all(recorded(j, b) for b in earlier)


def floor_unit(data, threads):
    """Scores real training images against the real set: the floor of every score on this data."""
    d = os.path.join(BUILD, "floors", data)
    os.makedirs(d, exist_ok=True)
    out = os.path.join(RESULTS, "floors", f"{data}.json")
    if os.path.exists(out):
        return
    s = J.SCORING
    cmd = java("metrics", "--real", s["real"], "--fake", J.FLOORS[data], "--metrics", s["metrics"], "--features",
               s["features"], "--n", str(s["n"]), "--seed", str(s["seed"]), "--json", os.path.join(d, "scores.json"),
               threads=threads)
    sh(cmd, os.path.join(BUILD, "logs", "floors", f"{data}.log"), threads)
    res = {"data": data, "fake": J.FLOORS[data], "scores": json.load(open(os.path.join(d, "scores.json"))),
           "scoring": s, "commands": [" ".join(cmd)], "checkout": git_commit_of_checkout(), "machine": R.machine()}
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as fh:
        json.dump(res, fh, indent=2)
    say(f"{now()} done floor {data}")


def run(a):
    os.makedirs(BUILD, exist_ok=True)
    pidfile = os.path.join(BUILD, "driver.pid")
    if os.path.exists(pidfile):
        pid = int(open(pidfile).read().strip() or 0)
        if pid and os.path.exists(f"/proc/{pid}"):
            raise SystemExit(f"another driver runs (pid {pid}, {pidfile})")
    with open(pidfile, "w") as fh:
        fh.write(str(os.getpid()))
    if not os.path.exists(JAR):
        raise SystemExit(f"{JAR} missing: build it first (nice mvn -B -q package -DskipTests)")

    def stop(signum, frame):
        _stopping.set()
        with _children_lock:
            for p in list(_children):
                try:
                    os.killpg(p.pid, signal.SIGTERM)  # GAN Lab checkpoints on SIGTERM; the peer resumes from its last
                except ProcessLookupError:
                    pass
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    if a.only is None:
        for data in J.FLOORS:
            try:
                floor_unit(data, a.threads)
            except Exception as e:  # noqa: BLE001
                say(f"{now()} FAILED floor {data}: {e}")
    todo = [u for u in units(a.only) if not recorded(u[0], u[1])]
    busy, failed, lock = set(), set(), threading.Lock()
    say(f"{now()} {len(todo)} units to do, {a.workers} at a time, {a.threads} thread(s) each")

    def worker():
        while not _stopping.is_set():
            with lock:
                pick = next((u for u in todo if u[0]["id"] not in busy and ready(u[0], u[1], failed)), None)
                if pick is None:
                    if not todo or all(u[0]["id"] in failed for u in todo):
                        return
                else:
                    todo.remove(pick)
                    busy.add(pick[0]["id"])
            if pick is None:
                time.sleep(5)
                continue
            j, budget = pick
            say(f"{now()} start {unit_name(j, budget)}")
            try:
                run_unit(j, budget, a.threads)
            except InterruptedError:
                say(f"{now()} stopped {unit_name(j, budget)}: checkpointed; the next run resumes it")
            except Exception as e:  # noqa: BLE001 - one failed unit must not stop the others
                say(f"{now()} FAILED {unit_name(j, budget)}: {e}")
                with lock:
                    failed.add(j["id"])
            else:
                if a.commit:
                    try:
                        commit(f"Reproduction: {unit_name(j, budget)} scored")
                    except Exception as e:  # noqa: BLE001 - the result is on disk; the next commit takes it
                        say(f"{now()} commit after {unit_name(j, budget)} failed: {e}")
            finally:
                with lock:
                    busy.discard(j["id"])

    threads = [threading.Thread(target=worker) for _ in range(a.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    R.write_report(J, RESULTS, BUILD, ROOT)
    if a.commit and not _stopping.is_set():
        commit("Reproduction: report regenerated at the end of the job table")
    os.remove(pidfile)
    say(f"{now()} driver finished; failed jobs: {sorted(failed) or 'none'}")


_git_lock = threading.Lock()


def commit(message):
    """Regenerates the report and commits lib/reproduction and lib/REPRODUCTION.md (nothing else)."""
    with _git_lock:
        R.write_report(J, RESULTS, BUILD, ROOT)
        paths = ["lib/reproduction", "lib/REPRODUCTION.md"]
        for attempt in range(10):
            add = subprocess.run(["git", "add", "--", *paths], cwd=ROOT, capture_output=True, text=True)
            if add.returncode == 0:
                c = subprocess.run(["git", "commit", "-q", "-m", message, "--", *paths], cwd=ROOT, capture_output=True,
                                   text=True)
                if c.returncode == 0 or "nothing" in (c.stdout + c.stderr):
                    return
            time.sleep(3 + attempt)  # another git command holds the index lock
        say(f"{now()} could not commit: {add.stderr or c.stderr}")


def status(_a):
    for j, budget in units(None):
        stages = [s for s in ("train", "score-ema", "score-raw", "recorded") if is_done(j, budget, s)]
        if not is_done(j, budget, "recorded") and os.path.exists(result_path(j, budget)):
            stages.append("committed")
        log = os.path.join(BUILD, "logs", j["id"], f"step{budget}.log")
        last = ""
        if os.path.exists(log):
            lines = [x for x in open(log).read().splitlines() if x.strip()]
            last = lines[-1][:110] if lines else ""
        print(f"{unit_name(j, budget):45s} {','.join(stages) or '-':32s} {last}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--workers", type=int, default=2)
    r.add_argument("--threads", type=int, default=1)
    r.add_argument("--only", help="regular expression on unit names, e.g. 'pytorch-seed1/step1000'")
    r.add_argument("--commit", action="store_true", help="commit lib/reproduction and the report after each unit")
    sub.add_parser("report")
    sub.add_parser("status")
    a = ap.parse_args()
    if a.cmd == "run":
        run(a)
    elif a.cmd == "report":
        R.write_report(J, RESULTS, BUILD, ROOT)
        print("wrote lib/REPRODUCTION.md")
    else:
        status(a)


if __name__ == "__main__":
    main()
