#!/usr/bin/python3
"""Trains, scores and exports one reference model (recipes in environment/zoo/recipes.py).

    environment/zoo/train-reference.sh NAME [--threads N] [--work DIR] [--out DIR] [--note TEXT]   # e.g. dcgan-fmnist
    environment/zoo/train-reference.sh NAME --carry [--work DIR]   # keep a run in progress in git (below)
    environment/zoo/train-reference.sh --list

Stages, each with the project's own commands and the jar of this checkout (lib/target/ganlab.jar):
  1. train:  ganlab train --config build/zoo/NAME/recipe.json --out build/zoo/NAME/run [--resume]
  2. sample: ganlab sample --run RUN --n N --seed S --out build/zoo/NAME/samples-GEN [--ema]   (GEN: ema, raw)
  3. score:  ganlab metrics --real REAL --fake build/zoo/NAME/samples-GEN --json build/zoo/NAME/scores-GEN.json
  4. export: ganlab export --run RUN --out lib/zoo/NAME --scores ema=... --scores raw=...
Running it again continues where it stopped: training resumes from the run's newest checkpoint (GAN Lab
resumes exactly; a recipe made longer resumes the finished run), each scored generator leaves a marker in
build/zoo/NAME/done/ and is not scored again until the run trains further. The export is written last; commit
lib/zoo/NAME afterwards.

A run longer than one sitting on a machine whose build/ folder does not last (a fresh clone each session):
    environment/zoo/train-reference.sh NAME --carry
copies the run's newest checkpoint and history into lib/zoo/training/NAME (commit it); where build/zoo/NAME/run
is missing or behind it, training starts from there and continues the same run bit for bit. The export into
lib/zoo/NAME removes it, as does a curve recipe's (`export: False`) into its own work folder; an export elsewhere,
--out, leaves it. A checkpoint of more than 95 MB is carried in parts with a
manifest (git hosts refuse files of 100 MB); the parts are joined, and checked against the manifest's SHA-256, when
the run continues.
"""
import argparse
import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import recipes as R  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
JAR = os.path.join(ROOT, "lib", "target", "ganlab.jar")
BUILD = os.path.join(ROOT, "build", "zoo")
CARRIED = os.path.join(ROOT, "lib", "zoo", "training")
# What a resumed run needs from its folder (the history is cut back to the checkpoint's step on resume);
# status.json keeps the start time, evaluations.jsonl the evaluations' setups, platforms.jsonl which platform trained
# from which step (a run written before it was recorded has none).
# Git hosts refuse files of 100 MB and more: a larger checkpoint is carried in parts of at most this size, with a
# manifest (PARTS) that names them in order with the whole file's size and SHA-256 (the Java side,
# ReferenceStanding, joins them the same way to show the run).
MAX_PART_BYTES = 95_000_000
PARTS = re.compile(r"^(step-(\d+)\.ckpt)\.parts\.json$")
CARRIED_FILES = ("config.json", "metrics.csv", "evaluations.jsonl", "status.json", "platforms.jsonl")
GENERATORS = ("ema", "raw")
CHECKPOINT = re.compile(r"^step-(\d+)\.ckpt$")
GRID = re.compile(r"^step-\d+\.png$")  # the EMA generator's grid where there is one (raw grids end -raw.png)


def read_json(path):
    with open(path) as fh:
        return json.load(fh)


def read_bytes(path):
    with open(path, "rb") as fh:
        return fh.read()


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def split(ckpt, folder):
    """Writes ckpt into folder as NAME.part-0, NAME.part-1, ... of at most MAX_PART_BYTES and NAME.parts.json."""
    name, parts = os.path.basename(ckpt), []
    with open(ckpt, "rb") as fh:
        for block in iter(lambda: fh.read(MAX_PART_BYTES), b""):
            parts.append(f"{name}.part-{len(parts)}")
            with open(os.path.join(folder, parts[-1]), "wb") as out:
                out.write(block)
    with open(os.path.join(folder, name + ".parts.json"), "w") as fh:
        json.dump({"file": name, "size": os.path.getsize(ckpt), "sha256": sha256(ckpt), "parts": parts}, fh, indent=2)


def join(manifest, folder):
    """Joins the parts a manifest names into folder/FILE (written under a temporary name, checked, renamed);
    a bad manifest, a missing or damaged part stops the driver with the manifest named and no file left."""
    src, name = os.path.dirname(manifest), os.path.basename(manifest)
    try:
        m = read_json(manifest)
        file, size, digest, parts = m["file"], int(m["size"]), str(m["sha256"]), list(m["parts"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise SystemExit(f"{manifest}: not a readable parts manifest (file, size, sha256, parts): {e!r}")
    if name != file + ".parts.json":
        raise SystemExit(f"{manifest}: names the file {file}, not the one its own name says")
    bad = [p for p in parts if not re.fullmatch(re.escape(file) + r"\.part-\d+", str(p))]
    if bad or not parts:
        raise SystemExit(f"{manifest}: parts must be named {file}.part-N (got {parts})")
    out = os.path.join(folder, file)
    tmp = out + ".joining"
    try:
        with open(tmp, "wb") as fh:
            for part in parts:
                if not os.path.isfile(os.path.join(src, part)):
                    raise SystemExit(f"{manifest}: its part {part} is missing")
                with open(os.path.join(src, part), "rb") as p:
                    shutil.copyfileobj(p, fh)
        got_size, got = os.path.getsize(tmp), sha256(tmp)
        if got_size != size or got != digest:
            raise SystemExit(f"{manifest}: its parts join to {got_size} bytes with SHA-256 {got}, not the {size}"
                             f" bytes and {digest} it names: a part is missing or damaged")
        os.rename(tmp, out)
    finally:
        if os.path.exists(tmp):  # a failed join leaves no partial file
            os.remove(tmp)


def java(args, threads):
    return ["java", "-Xmx1g", "-jar", JAR, *args, "--threads", str(threads)]


def sh(cmd, log, threads):
    """Runs a command with its output appended to log; stops the driver on a non-zero exit."""
    env = dict(os.environ, GANLAB_THREADS=str(threads), OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    print("+ " + " ".join(cmd), flush=True)
    with open(log, "a") as fh:
        fh.write(f"\n+ {' '.join(cmd)}   # {datetime.datetime.now(datetime.timezone.utc).isoformat()}\n")
        fh.flush()
        rc = subprocess.call(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    if rc != 0:
        raise SystemExit(f"exit {rc}: {' '.join(cmd)} (log: {log}); run the command again to continue")


class Stages:
    def __init__(self, name, threads, work=None, out=None, note=None):
        self.name, self.threads, self.note = name, threads, note
        self.recipe = R.RECIPES[name]
        self.work = work or os.path.join(BUILD, name)
        # a recipe that is not a model of the zoo (a curve of another's run) exports into its work folder
        zoo = self.recipe.get("export", True)
        # where the recipe's own export goes; an export told to go elsewhere (--out) leaves the carried run
        self.own_out = os.path.join(ROOT, "lib", "zoo", name) if zoo else os.path.join(self.work, "export")
        self.out = out or self.own_out
        self.run = os.path.join(self.work, "run")
        self.log = os.path.join(self.work, "log.txt")
        os.makedirs(os.path.join(self.work, "done"), exist_ok=True)

    def done(self, stage):
        return os.path.exists(os.path.join(self.work, "done", stage))

    def mark(self, stage):
        with open(os.path.join(self.work, "done", stage), "w") as fh:
            fh.write(datetime.datetime.now(datetime.timezone.utc).isoformat() + "\n")

    def carried(self):
        return os.path.join(CARRIED, self.name)

    def newest_checkpoint(self, run):
        folder = os.path.join(run, "checkpoints")
        names = sorted(f for f in os.listdir(folder) if CHECKPOINT.match(f)) if os.path.isdir(folder) else []
        return os.path.join(folder, names[-1]) if names else None

    @staticmethod
    def step_of(ckpt):
        return -1 if ckpt is None else int(CHECKPOINT.match(os.path.basename(ckpt)).group(1))

    @staticmethod
    def carried_step(src):
        """The step of the newest checkpoint carried in src, whole or in parts (-1: none)."""
        folder = os.path.join(src, "checkpoints")
        steps = [int(m.group(1)) for m in map(CHECKPOINT.match, os.listdir(folder)) if m] + \
                [int(m.group(2)) for m in map(PARTS.match, os.listdir(folder)) if m] if os.path.isdir(folder) else []
        return max(steps, default=-1)

    def carry(self):
        """Copies the newest checkpoint, the history and the newest sample grid to lib/zoo/training/NAME."""
        ckpt = self.newest_checkpoint(self.run)
        if ckpt is None:
            raise SystemExit(f"{self.run}: no checkpoint to carry yet")
        dest = self.carried()
        if self.carried_step(dest) > self.step_of(ckpt):  # an old build/ must not replace the run further on
            raise SystemExit(f"{dest} holds step {self.carried_step(dest)}, further on than {ckpt}: not replaced (run"
                             f" the driver once to continue from the carried run, or remove {dest} to carry this one)")
        tmp = dest + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(os.path.join(tmp, "checkpoints"))
        os.makedirs(os.path.join(tmp, "samples"))
        # checkpoints are written atomically (a new name, then a rename), so the newest one is whole
        if os.path.getsize(ckpt) <= MAX_PART_BYTES:
            shutil.copy2(ckpt, os.path.join(tmp, "checkpoints"))
        else:
            split(ckpt, os.path.join(tmp, "checkpoints"))
        for f in CARRIED_FILES:
            if os.path.exists(os.path.join(self.run, f)):
                shutil.copy2(os.path.join(self.run, f), tmp)
        # The length is the recipe's, to which the next resume trains it (a recipe shortened or made longer while
        # this process runs): the only setting a resume may change.
        cfg_path = os.path.join(tmp, "config.json")
        cfg = read_json(cfg_path)
        cfg["steps"] = self.recipe["config"]["steps"]
        with open(cfg_path, "w") as fh:
            json.dump(cfg, fh, indent=2)
        grids = sorted(g for g in os.listdir(os.path.join(self.run, "samples")) if GRID.match(g))
        if grids:  # the newest grid, which environment/zoo/curves.py shows beside the curve
            shutil.copy2(os.path.join(self.run, "samples", grids[-1]), os.path.join(tmp, "samples"))
        shutil.rmtree(dest, ignore_errors=True)
        os.rename(tmp, dest)
        size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(dest) for f in fs)
        print(f"carried {os.path.basename(ckpt)} of {self.run} to {dest} ({size / 1e6:.1f} MB):"
              f" commit it (git add {os.path.relpath(dest, ROOT)})")

    def take_carried(self):
        """Starts the run folder from lib/zoo/training/NAME when that is further on than the run's own checkpoint.

        A local run behind the carried one (an older clone's build/, or a carry made on another machine) is moved
        aside to run.behind-STEP, not deleted; a local run at or past the carried step is the one that continues."""
        src = self.carried()
        mine, theirs = self.step_of(self.newest_checkpoint(self.run)), self.carried_step(src)
        if theirs <= mine:
            return
        if os.path.isdir(self.run) and mine < 0:  # a start that never reached a checkpoint: nothing to keep
            shutil.rmtree(self.run)
        elif os.path.isdir(self.run):
            aside = f"{self.run}.behind-{mine}"
            shutil.rmtree(aside, ignore_errors=True)
            os.rename(self.run, aside)
            print(f"the local run {self.run} (step {mine}) is behind the carried one (step {theirs}): moved to {aside}")
        for sub in ("checkpoints", "samples"):
            os.makedirs(os.path.join(self.run, sub), exist_ok=True)
            if not os.path.isdir(os.path.join(src, sub)):  # git keeps no empty folder
                continue
            for f in os.listdir(os.path.join(src, sub)):
                if PARTS.match(f):
                    join(os.path.join(src, sub, f), os.path.join(self.run, sub))
                elif ".ckpt.part-" not in f:
                    shutil.copy2(os.path.join(src, sub, f), os.path.join(self.run, sub))
        for f in CARRIED_FILES:
            if os.path.exists(os.path.join(src, f)):
                shutil.copy2(os.path.join(src, f), self.run)
        print(f"continuing the carried run {src} ({os.path.basename(self.newest_checkpoint(self.run))})", flush=True)

    def train(self):
        self.take_carried()
        cfg = self.recipe["config"]
        path = os.path.join(self.work, "recipe.json")
        with open(path, "w") as fh:
            json.dump(cfg, fh, indent=2)
        resume = ["--resume"] if os.path.isdir(os.path.join(self.run, "checkpoints")) else []
        sh(java(["train", "--config", path, "--out", self.run, *resume], self.threads), self.log, self.threads)
        status = read_json(os.path.join(self.run, "status.json"))
        if status.get("step") != cfg["steps"] or status.get("status") != "finished":
            raise SystemExit(f"{self.run}: status {status.get('status')} at step {status.get('step')} after training"
                             f" to {cfg['steps']}; run the command again to continue")

    def sample_and_score(self, gen):
        s = self.recipe["scoring"]
        samples = os.path.join(self.work, f"samples-{gen}")
        shutil.rmtree(samples, ignore_errors=True)
        sh(java(["sample", "--run", self.run, "--n", str(s["n"]), "--seed", str(s["sample_seed"]), "--out", samples,
                 *(["--ema"] if gen == "ema" else [])], self.threads), self.log, self.threads)
        sh(java(["metrics", "--real", s["real"], "--fake", samples, "--metrics", s["metrics"], "--features",
                 s["features"], "--n", str(s["n"]), "--seed", str(s["seed"]), "--json", self.scores(gen)],
                self.threads), self.log, self.threads)
        self.mark(f"score-{gen}")

    def scores(self, gen):
        return os.path.join(self.work, f"scores-{gen}.json")

    def export(self):
        s = self.recipe["scoring"]
        cmd = ["export", "--run", self.run, "--out", self.out, "--rank-by", s["rank_by"], "--sample-seed",
               str(s["sample_seed"]), "--reproduce", f"environment/zoo/train-reference.sh {self.name}"]
        for gen in GENERATORS:
            cmd += ["--scores", f"{gen}={self.scores(gen)}"]
        # the note is kept in the work folder, so a later resume without --note exports it again
        note_file = os.path.join(self.work, "note.txt")
        if self.note:
            with open(note_file, "w") as fh:
                fh.write(self.note)
        elif os.path.exists(note_file):
            self.note = read_bytes(note_file).decode()
        if self.note:
            cmd += ["--note", self.note]
        sh(java(cmd, self.threads), self.log, self.threads)
        if os.path.abspath(self.out) != self.own_out:  # an export elsewhere leaves the zoo as it is
            print(f"exported {self.out}")
            return
        # The finished run no longer needs its carried checkpoint: a zoo model replaces it, and a run outside the zoo
        # (a curve) keeps its export in its work folder and its curve in lib/reproduction/curves.
        removed = os.path.isdir(self.carried())
        if removed:
            shutil.rmtree(self.carried())
        print(f"exported {self.out}" + (f" and removed {self.carried()} (the run it carried is finished)" if removed
                                        else "") + ": commit with git add -A lib/zoo")

    def trained(self):
        """Whether the run is finished at the recipe's length (a longer recipe resumes it)."""
        path = os.path.join(self.run, "status.json")
        if not os.path.exists(path):
            return False
        status = read_json(path)
        return status.get("status") == "finished" and status.get("step") == self.recipe["config"]["steps"]

    def all(self):
        if not self.trained():
            for gen in GENERATORS:  # scores of an earlier length no longer apply
                if self.done(f"score-{gen}"):
                    os.remove(os.path.join(self.work, "done", f"score-{gen}"))
            self.train()
        for gen in GENERATORS:
            if not self.done(f"score-{gen}"):
                self.sample_and_score(gen)
        self.export()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("name", nargs="?", help="recipe name (--list shows them)")
    ap.add_argument("--threads", type=int, default=2, help="engine threads per command (default 2)")
    ap.add_argument("--work", help="folder of the run, samples and scores (default build/zoo/NAME)")
    ap.add_argument("--out", help="reference model folder to export into (default lib/zoo/NAME)")
    ap.add_argument("--note", help="a paragraph for the exported README (provenance: e.g. a run continued from"
                    " another's checkpoint); running again with only a new note re-exports")
    ap.add_argument("--carry", action="store_true", help="copy the run's newest checkpoint and history to"
                    " lib/zoo/training/NAME (to commit) and exit; training elsewhere continues from there")
    ap.add_argument("--list", action="store_true", help="list the recipes and exit")
    a = ap.parse_args()
    if a.list or a.name is None:
        for name, r in R.RECIPES.items():
            print(f"{name:20s} {r['title']}, {r['config']['steps']:,} steps")
        return
    if a.name not in R.RECIPES:
        raise SystemExit(f"no recipe '{a.name}' (known: {', '.join(R.RECIPES)})")
    stages = Stages(a.name, a.threads, a.work and os.path.abspath(a.work), a.out and os.path.abspath(a.out), a.note)
    if a.carry:  # copies files only: no jar needed
        stages.carry()
        return
    if not os.path.exists(JAR):
        raise SystemExit(f"{JAR} missing: build it first (mvn -B -q -pl lib package -DskipTests)")
    stages.all()


if __name__ == "__main__":
    main()
