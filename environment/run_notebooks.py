#!/usr/bin/python3
"""Execute GAN Lab notebooks headless on the `ganlab` kernel and export them.

    environment/run_notebooks.py [--profile smoke|quick|full] [--out build/notebooks] [--jobs N|auto]
                                 [--timeout SECONDS] NOTEBOOK...

Each notebook runs through nbconvert's ExecutePreprocessor (what `jupyter nbconvert --execute` uses)
in its own folder, with GANLAB_PROFILE set for the kernel. The executed notebook and an HTML export
go to OUT/<name>.ipynb and OUT/<name>.html; a failing notebook is written too, up to the failing
cell. The exit status is non-zero when any notebook failed, and the failure is reported by notebook,
cell number and the cell's first line.

Each notebook runs in a child run of this script, so that Ctrl-C or SIGTERM can stop its kernel (kernels run in
sessions of their own, and nbclient holds the signals while one runs): every kernel is sent SIGTERM and the
run exits with status 130. --jobs N executes up to N notebooks at once, each in its own kernel with cores / N engine threads
(GANLAB_THREADS; a wave of one notebook gets every core). On a 2-core CPU two lanes of one thread finish the
quick profile sooner than one lane of two: the small models of the quick profiles gain little or nothing from a
second engine thread (lib/BENCHMARKS.md, "Notebook wall times", has the measurement). A notebook whose metadata
says "ganlab": {"reads_earlier_runs": true} (04, which scores every run it finds) is a barrier: it starts once
every notebook before it has ended, and those after it start once it has ended, so it sees the same runs as in
a run one notebook at a time. 'auto' is 2 lanes for the smoke and quick profiles with 2 cores or more and 8 GB of memory, else
1: the full profile (a GPU), or no profile given, runs one notebook at a time. Cores are those this process may
run on (its CPU affinity), as the JVM counts them.
"""
import argparse
import fcntl
import json
import os
import resource
import signal
import subprocess
import sys
import time

try:
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import CellExecutionError, ExecutePreprocessor, coalesce_streams
except ImportError as e:  # pragma: no cover - environment problem
    sys.exit(f"run_notebooks: {e}. Install Jupyter with environment/setup.sh "
             "(Debian packages jupyter-notebook, jupyter-nbconvert, python3-nbclient) and run this script "
             "with /usr/bin/python3.")

KERNEL = os.environ.get("GANLAB_KERNEL_NAME", "ganlab")
LANES_VAR = "GANLAB_NOTEBOOK_LANES"   # set by a parallel run for its notebooks' timings
BATCH_VAR = "GANLAB_NOTEBOOK_BATCH"   # when the run that executed a notebook started (one id per main command)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def failing_cell(nb):
    """Index, first source line and error text of the first cell whose output is an error."""
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                first = next((l for l in cell.source.splitlines() if l.strip()), "")
                return i, first, f"{out.get('ename', '')}: {out.get('evalue', '')}".strip()
    return None, "", ""


def notebook_name(path):
    """A notebook's name as timings.json and the output files use it: notebooks/01_dcgan.ipynb -> 01_dcgan."""
    return os.path.splitext(os.path.basename(path))[0]


def merge_streams(nb):
    """Joins each cell's consecutive stdout (or stderr) fragments into one output, as JupyterLab shows them: the
    kernel sends a printf's pieces as separate messages, and a viewer that does not join them breaks the lines."""
    coalesce_streams(nb, {})
    return nb


def export_html(nb, path):
    body, _ = HTMLExporter().from_notebook_node(nb)
    with open(path, "w", encoding="utf-8") as f:
        f.write(body)


def run(path, out_dir, timeout):
    """Executes one notebook; a kernel that fails before running any cell is started once more."""
    for attempt in (1, 2):
        error, elapsed, nb = run_once(path, out_dir, timeout)
        started_cells = any(c.get("execution_count") for c in nb.cells if c.cell_type == "code")
        if error is None or started_cells or attempt == 2 or "kernel failed to start" not in error:
            return error, elapsed
        print(f"[notebooks]   the kernel did not start after {elapsed:.0f} s; starting it once more", flush=True)


def run_once(path, out_dir, timeout):
    name = notebook_name(path)
    with open(path, encoding="utf-8") as f:
        nb = nbformat.read(f, as_version=4)
    # A JVM kernel answers its first request within seconds on a quiet machine; under a parallel
    # build it has taken over a minute (4 of 12 starts past nbclient's default 60 s).
    ep = ExecutePreprocessor(kernel_name=KERNEL, timeout=timeout, allow_errors=False, startup_timeout=180)
    os.makedirs(out_dir, exist_ok=True)
    log_path = os.path.join(out_dir, name + ".kernel.log")
    started = time.time()
    error = None
    # The kernel inherits file descriptors 1 and 2: point them at a log file while the notebook runs,
    # so the kernel's start-up chatter stays out of the console and is kept for when something fails.
    sys.stdout.flush()
    sys.stderr.flush()
    saved = (os.dup(1), os.dup(2))
    log = open(log_path, "w", encoding="utf-8")
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    try:
        ep.preprocess(nb, {"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    except CellExecutionError as e:
        idx, first, msg = failing_cell(nb)
        where = f"cell {idx + 1} ('{first.strip()[:80]}')" if idx is not None else "a cell"
        error = f"{path}: {where} failed: {msg or str(e).splitlines()[-1]}"
    except RuntimeError as e:
        if "Kernel died" in str(e) or "kernel" in str(e).lower():
            error = (f"{path}: the '{KERNEL}' kernel failed to start or died ({e}). Check that "
                     "lib/target/ganlab.jar exists (mvn package) and re-register the kernel with "
                     "environment/setup.sh; the kernel's own log is named below.")
        else:
            raise
    except TimeoutError as e:
        error = f"{path}: a cell ran longer than {timeout} s ({e})"
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])
        log.close()
    if error:
        error += f" [kernel log: {os.path.relpath(log_path, ROOT)}]"
    elapsed = time.time() - started
    ipynb = os.path.join(out_dir, name + ".ipynb")
    merge_streams(nb)
    with open(ipynb, "w", encoding="utf-8") as f:
        nbformat.write(nb, f)
    export_html(nb, os.path.join(out_dir, name + ".html"))
    return error, elapsed, nb


def cpu_seconds():
    """CPU seconds used so far by this process and its reaped children (the notebook kernels: each is this
    process's child, reaped when its notebook ends)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def cores():
    """The cores this process may run on (its CPU affinity, as the JVM's availableProcessors counts them)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def threads_setting():
    """GANLAB_THREADS as a number when the user set one (blank counts as unset, as the library reads it)."""
    value = os.environ.get("GANLAB_THREADS", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def record_time(out_dir, path, started, elapsed, error, load_before, cpu):
    """Adds this notebook's wall time to OUT/timings.json (lib/BENCHMARKS.md's notebook section reads it),
    with the profile, when it ended, the 1-minute load average before and after, and the CPU seconds the
    kernel and the export used. The load average also counts waiting low-priority work, so the CPU share
    (CPU seconds / (wall seconds x cores)) is what says whether the notebook had the machine to itself."""
    f = os.path.join(out_dir, "timings.json")
    os.makedirs(out_dir, exist_ok=True)
    now = time.time()
    # Notebooks executed in parallel lanes end in their own processes: the lock keeps each one's entry.
    with open(f + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(f, encoding="utf-8") as fh:
                times = json.load(fh)
        except (OSError, ValueError):
            times = {}
        times[notebook_name(path)] = {
            "profile": os.environ.get("GANLAB_PROFILE", "default"), "seconds": round(elapsed, 1),
            "ok": error is None, "error": error,
            "ended": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(now)), "cores": cores(),
            "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2),
            "cpu_seconds": round(cpu, 1), "started_epoch": round(started, 1), "ended_epoch": round(now, 1),
            "threads": threads_setting() or cores(),
            "lanes": int(os.environ.get(LANES_VAR, "1")), "batch": os.environ.get(BATCH_VAR, "")}
        with open(f + ".tmp", "w", encoding="utf-8") as fh:
            json.dump(times, fh, indent=2, sort_keys=True)
        os.replace(f + ".tmp", f)


def reads_earlier_runs(path):
    """Whether the notebook's metadata makes it a barrier between the notebooks before and after it."""
    try:
        with open(path, encoding="utf-8") as f:
            meta = json.load(f).get("metadata", {})
    except (OSError, ValueError):
        return False  # a missing or unreadable notebook is reported when its turn comes
    return bool(meta.get("ganlab", {}).get("reads_earlier_runs"))


def waves(paths, previous_seconds, barriers):
    """The notebooks in waves: a wave starts once the one before it has ended, and its notebooks start in the
    order given here, as lanes come free.

    Each barrier is a wave of its own; the notebooks between two barriers form one wave, those without a
    recorded wall time first, in their given order (a fresh clone has none), then the others longest first,
    so that a long notebook does not start late and run alone at the end of its wave.
    """
    result, between = [], []

    def close():
        if between:
            keyed = sorted(enumerate(between), key=lambda e: (0, e[0]) if previous_seconds.get(e[1]) is None
                           else (1, -previous_seconds[e[1]], e[0]))
            result.append([p for _, p in keyed])
            between.clear()

    for p in paths:
        if p in barriers:
            close()
            result.append([p])
        else:
            between.append(p)
    close()
    return result


def resolve_jobs(value, profile):
    """--jobs as a number of lanes; 'auto' as the module docstring says."""
    if value == "auto":
        if profile not in ("smoke", "quick"):
            return 1
        memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
        return 2 if cores() >= 2 and memory_gb >= 8 else 1
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        sys.exit(f"run_notebooks: --jobs '{value}': use a whole number of 1 or more, or auto.")
    return jobs


def recorded_times(out_dir):
    try:
        with open(os.path.join(out_dir, "timings.json"), encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {}


def previous_times(out_dir, paths, profile):
    """Each notebook's wall time when the last run of it in `out_dir` had this profile, else None."""
    times = recorded_times(out_dir)
    entry = lambda p: times.get(notebook_name(p), {})
    return {p: entry(p).get("seconds") if entry(p).get("profile") == profile else None for p in paths}


def run_in_lanes(args, jobs):
    """Executes the notebooks up to `jobs` at a time, each by a child run of this script with one notebook, so
    each has its own kernel and its own redirected output; returns the notebooks that failed."""
    barriers = [p for p in args.notebooks if reads_earlier_runs(p)]
    plan = waves(args.notebooks, previous_times(args.out, args.notebooks, os.environ.get("GANLAB_PROFILE")), barriers)
    env = dict(os.environ)
    env[LANES_VAR] = str(jobs)
    names = lambda ps: ", ".join(notebook_name(p) for p in ps)
    if jobs > 1:
        print(f"[notebooks] up to {jobs} at a time, in waves: " + "; then ".join(names(w) for w in plan), flush=True)
    failed, running = [], {}
    try:
        for wave in plan:
            if threads_setting() is None:  # a user's own setting wins
                env["GANLAB_THREADS"] = str(max(1, cores() // min(jobs, len(wave))))
            queue = list(wave)
            while queue or running:
                while queue and len(running) < jobs:
                    path = queue.pop(0)
                    cmd = [sys.executable, os.path.abspath(__file__), "--out", args.out, "--timeout",
                           str(args.timeout), "--child", path]
                    running[subprocess.Popen(cmd, env=env)] = path
                time.sleep(0.5)
                for proc in [p for p in running if p.poll() is not None]:
                    if proc.returncode != 0:
                        failed.append(running[proc])
                    del running[proc]
    except KeyboardInterrupt:
        # Stop once: further signals are ignored while the lanes end. Neither the children nor their kernels
        # stop on a signal of their own (nbclient's handlers sit on an event loop that is not running, and the
        # kernels run in sessions of their own), so each kernel's process group is sent SIGTERM (the JVM's
        # shutdown hooks run; a training run keeps its last checkpoint), then the child itself.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        kernels = {proc: kernels_of(proc.pid) for proc in running}
        for proc, pids in kernels.items():
            signal_groups(pids, signal.SIGTERM)
            proc.terminate()
        deadline = time.time() + 60
        for proc, pids in kernels.items():
            try:
                proc.wait(timeout=max(1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                proc.kill()
            signal_groups([p for p in pids if alive(p)], signal.SIGKILL)
        raise
    return failed


def kernels_of(pid):
    """The kernels a child run started: jupyter_client gives each kernel its parent's pid in JPY_PARENT_PID."""
    mark, found = f"JPY_PARENT_PID={pid}".encode() + b"\0", []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/environ", "rb") as f:
                    if mark in f.read():
                        found.append(int(entry))
            except OSError:
                pass  # gone, or not ours to read
    return found


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def signal_groups(pids, sig):
    """Signals the process group each kernel leads (a kernel starts its own session: its group is its pid)."""
    for pid in pids:
        try:
            os.killpg(pid, sig)
        except OSError:
            pass


def stop_as_interrupt(signum, frame):
    raise KeyboardInterrupt


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="+")
    ap.add_argument("--profile", choices=["smoke", "quick", "full"],
                    help="GANLAB_PROFILE for the kernel (default: the environment's, else the library's choice)")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "notebooks"))
    ap.add_argument("--timeout", type=int, default=3600, help="seconds per cell (default 3600)")
    ap.add_argument("--jobs", default="1", help="notebooks executed at once (default 1; auto: see above)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)  # one lane's run, started by a parent
    args = ap.parse_args()

    try:
        KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:
        sys.exit(f"run_notebooks: no Jupyter kernelspec '{KERNEL}'. Register it with environment/setup.sh.")
    if args.profile:
        os.environ["GANLAB_PROFILE"] = args.profile
    os.environ.setdefault("GANLAB_HOME", ROOT)
    jobs = resolve_jobs(args.jobs, os.environ.get("GANLAB_PROFILE"))
    os.environ.setdefault(BATCH_VAR, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    if not args.child:
        # Every notebook runs in a child, one lane or more: only a parent outside nbclient can stop the kernels
        # on Ctrl-C or SIGTERM (a timeout, a CI runner).
        signal.signal(signal.SIGTERM, stop_as_interrupt)
        try:
            failed = run_in_lanes(args, jobs)
        except KeyboardInterrupt:
            print("[notebooks] interrupted; the notebooks that had ended are in " + args.out, file=sys.stderr)
            sys.exit(130)
        times = recorded_times(args.out)
        # Each child has printed its own failure; with several notebooks the errors are repeated here, together.
        for path in failed if len(args.notebooks) > 1 else []:
            name = notebook_name(path)
            entry = times.get(name, {})
            recorded = entry.get("error") if entry.get("batch") == os.environ[BATCH_VAR] else None
            error = recorded or f"{path}: failed before its time was recorded (its output is above)"
            print(f"[notebooks] FAILED {error}", file=sys.stderr)
        sys.exit(1 if failed else 0)

    failures = []
    for path in args.notebooks:
        if not os.path.isfile(path):
            failures.append(f"{path}: no such notebook")
            continue
        print(f"[notebooks] {path} (profile {os.environ.get('GANLAB_PROFILE', 'default')}) ...", flush=True)
        load_before, cpu_before = os.getloadavg()[0], cpu_seconds()
        started = time.time()
        error, elapsed = run(path, args.out, args.timeout)
        record_time(args.out, path, started, elapsed, error, load_before, cpu_seconds() - cpu_before)
        if error:
            failures.append(error)
            print(f"[notebooks]   FAILED after {elapsed:.0f} s", flush=True)
        else:
            print(f"[notebooks]   ok in {elapsed:.0f} s -> {os.path.relpath(args.out, ROOT)}/"
                  f"{notebook_name(path)}.(ipynb|html)", flush=True)
    for f in failures:
        print(f"[notebooks] FAILED {f}", file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
