#!/usr/bin/python3
"""Checks of eval_noise.py (one evaluation's noise) and of the report's paragraph on it, with a stand-in `java`
that records each command and writes a made-up score per seed (no jar, no training): run by lib's
ZooDriverTest with `python3 -m unittest` from this folder."""
import json
import math
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "repro"))
import eval_noise as E  # noqa: E402
import curves_section as C  # noqa: E402

FAKE_JAVA = r'''#!/usr/bin/python3
import json, os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_JAVA_LOG"], "a") as fh:
    fh.write(json.dumps(args) + "\n")
def opt(k):
    return args[args.index(k) + 1]
if args[2] == "sample":
    os.makedirs(opt("--out"), exist_ok=True)
    print(f"wrote {opt('--n')} images of progan step {os.environ.get('FAKE_STEP', '45000')} EMA to {opt('--out')}")
else:  # metrics: seed s scores 10 + s in SWD and s / 10 in FID
    s = int(opt("--seed"))
    with open(opt("--json"), "w") as fh:
        json.dump({"metrics": {"swd_x1e3": 10.0 + s, "fid_fmnist": s / 10, "note": "text"}}, fh)
'''


class EvalNoiseTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="noise-")
        self.saved = (E.ROOT, E.NOISE, os.environ.get("PATH"))
        E.ROOT, E.NOISE = self.tmp, os.path.join(self.tmp, "lib", "reproduction", "noise")
        bin_dir = os.path.join(self.tmp, "bin")
        os.makedirs(bin_dir)
        with open(os.path.join(bin_dir, "java"), "w") as fh:
            fh.write(FAKE_JAVA)
        os.chmod(os.path.join(bin_dir, "java"), 0o755)
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ["PATH"]
        self.log = os.path.join(self.tmp, "java.log")
        os.environ["FAKE_JAVA_LOG"] = self.log

    def tearDown(self):
        E.ROOT, E.NOISE, os.environ["PATH"] = self.saved
        shutil.rmtree(self.tmp)

    def folder(self, *path, step=None, exported=False, parts=False):
        f = os.path.join(self.tmp, *path)
        os.makedirs(os.path.join(f, "checkpoints"), exist_ok=True)
        with open(os.path.join(f, "config.json"), "w") as fh:
            json.dump({"data": "emoji", "eval": {"metrics": "swd,fid", "n": 300, "real": "emoji?resolution=32",
                                                 "features": "fmnist", "ema": True}}, fh)
        if exported:
            with open(os.path.join(f, "scores.json"), "w") as fh:
                json.dump({"step": step}, fh)
        elif parts:
            open(os.path.join(f, "checkpoints", f"step-{step:08d}.ckpt.part-0"), "w").close()
        else:
            for s in (step - 2500, step):
                open(os.path.join(f, "checkpoints", f"step-{s:08d}.ckpt"), "w").close()
        return f

    def calls(self):
        if not os.path.exists(self.log):
            return []
        with open(self.log) as fh:
            return [json.loads(line) for line in fh]

    def test_the_exported_model_is_preferred_then_the_carried_run_at_its_newest_checkpoint(self):
        carried = self.folder("lib", "zoo", "training", "m", step=45000)
        self.assertEqual(E.source("m", None), (carried, 45000))
        exported = self.folder("lib", "zoo", "m", step=43750, exported=True)
        self.assertEqual(E.source("m", None), (exported, 43750))
        with self.assertRaises(SystemExit) as e:
            E.source("x", None)
        self.assertIn("no generator", str(e.exception))

    def test_a_checkpoint_in_parts_is_refused_with_how_to_join_it_unless_a_restored_run_exists(self):
        self.folder("lib", "zoo", "training", "m", step=45000, parts=True)
        with self.assertRaises(SystemExit) as e:
            E.source("m", None)
        self.assertIn("in parts", str(e.exception))
        self.assertIn("train-reference.sh m", str(e.exception))
        restored = self.folder("build", "zoo", "m", "run", step=45000)
        self.assertEqual(E.source("m", None), (restored, 45000))

    def test_each_seed_samples_and_scores_with_that_seed_and_the_spread_is_the_sample_sd(self):
        f = self.folder("lib", "zoo", "training", "m", step=45000)
        E.measure("m", f, 45000, 4, 2)
        calls = self.calls()
        self.assertEqual(len(calls), 8)
        for s in range(1, 5):
            sample, metrics = calls[2 * s - 2], calls[2 * s - 1]
            self.assertEqual(sample[2], "sample")
            self.assertIn("--ema", sample, "the recipe's eval scores the EMA generator")
            self.assertEqual(sample[sample.index("--seed") + 1], str(s))
            self.assertEqual(sample[sample.index("--n") + 1], "300")
            self.assertEqual(metrics[metrics.index("--seed") + 1], str(s))
            self.assertEqual(metrics[metrics.index("--real") + 1], "emoji?resolution=32")
            if s == 1:  # a real set without a size is brought to the run's, as the trainer's evaluation does
                with open(os.path.join(f, "config.json"), "w") as fh:
                    json.dump({"data": "fashion-mnist", "resolution": 32,
                               "eval": {"metrics": "fid", "n": 50, "real": "fashion-mnist:test", "ema": False}}, fh)
                E.measure("m2", f, 45000, 2, 1)
                last = self.calls()[-1]
                self.assertEqual(last[last.index("--real") + 1], "fashion-mnist:test?resolution=32")
                self.assertNotIn("--ema", self.calls()[-2], "a recipe scoring its raw generator samples that one")
            self.assertEqual(metrics[metrics.index("--fake") + 1], sample[sample.index("--out") + 1])
        summary = E.read_json(os.path.join(E.NOISE, "m.json"))
        swd = summary["metrics"]["swd_x1e3"]
        self.assertEqual(swd["values"], [11.0, 12.0, 13.0, 14.0])
        self.assertAlmostEqual(swd["mean"], 12.5)
        self.assertAlmostEqual(swd["sd"], math.sqrt(5 / 3))  # sum of squared deviations 5 over n - 1 = 3
        self.assertNotIn("note", summary["metrics"], "text fields are not scores")
        self.assertEqual(summary["step"], 45000)

    def test_fakes_drawn_from_an_older_checkpoint_are_refused(self):
        f = self.folder("lib", "zoo", "training", "m", step=45000)
        os.environ["FAKE_STEP"] = "42500"  # the loader fell back past an unreadable newest checkpoint
        self.addCleanup(os.environ.pop, "FAKE_STEP")
        with self.assertRaises(SystemExit) as e:
            E.measure("m", f, 45000, 2, 2)
        self.assertIn("not drawn at step 45000 (step 42500)", str(e.exception))
        self.assertFalse(os.path.exists(os.path.join(E.NOISE, "m.json")))

    def test_a_model_that_scored_nothing_while_training_is_measured_with_its_curve_runs_evaluation(self):
        f = self.folder("lib", "zoo", "d", step=20000, exported=True)
        with open(os.path.join(f, "config.json"), "w") as fh:  # as dcgan-fmnist-20k's: eval.metrics empty
            json.dump({"data": "fashion-mnist", "resolution": 28,
                       "eval": {"metrics": "", "n": 2000, "real": "fashion-mnist:test", "ema": True}}, fh)
        with self.assertRaises(SystemExit) as e:
            E.measure("d", f, 20000, 2, 2)
        self.assertIn("no eval.metrics", str(e.exception))
        self.assertIn("d-curve.json", str(e.exception))
        curves = os.path.join(self.tmp, "lib", "reproduction", "curves")
        os.makedirs(curves)
        with open(os.path.join(curves, "d-curve.json"), "w") as fh:
            json.dump({"name": "d-curve", "eval": {"metrics": "fid,kid", "every": 2500, "n": 5000,
                                                   "features": "fmnist", "real": "fashion-mnist:test", "ema": True}}, fh)
        os.environ["FAKE_STEP"] = "20000"
        self.addCleanup(os.environ.pop, "FAKE_STEP")
        E.measure("d", f, 20000, 2, 2)
        sample, metrics = self.calls()[-2:]
        self.assertEqual(sample[sample.index("--n") + 1], "5000", "the curve's count, not the model's 2,000")
        self.assertIn("--ema", sample)
        self.assertEqual(metrics[metrics.index("--metrics") + 1], "fid,kid")
        self.assertEqual(metrics[metrics.index("--real") + 1], "fashion-mnist:test?resolution=28")
        summary = E.read_json(os.path.join(E.NOISE, "d.json"))
        self.assertEqual(summary["evaluationFrom"], os.path.join("lib", "reproduction", "curves", "d-curve.json"))
        self.assertEqual(summary["fakes"], 5000)

    def test_a_recipe_that_names_its_curve_run_is_measured_with_that_runs_evaluation(self):
        f = self.folder("lib", "zoo", "d20", step=20000, exported=True)
        with open(os.path.join(f, "config.json"), "w") as fh:
            json.dump({"data": "fashion-mnist", "resolution": 28, "eval": {"metrics": ""}}, fh)
        curves = os.path.join(self.tmp, "lib", "reproduction", "curves")
        os.makedirs(curves)
        for curve, n in (("d-curve", 5000), ("d20-curve", 1000)):  # the named one wins over NAME-curve
            with open(os.path.join(curves, f"{curve}.json"), "w") as fh:
                json.dump({"eval": {"metrics": "fid", "n": n, "real": "fashion-mnist:test", "ema": True}}, fh)
        E.R.RECIPES["d20"] = {"curve": "d-curve"}
        self.addCleanup(E.R.RECIPES.pop, "d20")
        os.environ["FAKE_STEP"] = "20000"
        self.addCleanup(os.environ.pop, "FAKE_STEP")
        E.measure("d20", f, 20000, 2, 2)
        sample = self.calls()[-2]
        self.assertEqual(sample[sample.index("--n") + 1], "5000")
        summary = E.read_json(os.path.join(E.NOISE, "d20.json"))
        self.assertEqual(summary["evaluationFrom"], os.path.join("lib", "reproduction", "curves", "d-curve.json"))

    def test_a_second_measurement_reuses_the_seeds_already_scored(self):
        f = self.folder("lib", "zoo", "training", "m", step=45000)
        E.measure("m", f, 45000, 2, 2)
        E.measure("m", f, 45000, 3, 2)
        self.assertEqual([c[c.index("--seed") + 1] for c in self.calls() if c[2] == "sample"], ["1", "2", "3"])
        self.assertEqual(E.read_json(os.path.join(E.NOISE, "m.json"))["seeds"], [1, 2, 3])
        other = self.folder("build", "zoo", "m", "run", step=45000)  # the same step, another generator
        E.measure("m", other, 45000, 2, 2)
        self.assertEqual([c[c.index("--seed") + 1] for c in self.calls() if c[2] == "sample"],
                         ["1", "2", "3", "1", "2"], "another folder's scorings are not reused")


class NoiseParagraphTest(unittest.TestCase):
    def paragraph(self, rows, sd, **extra):
        tmp = tempfile.mkdtemp(prefix="para-")
        self.addCleanup(shutil.rmtree, tmp)
        path = os.path.join(tmp, "m.json")
        with open(path, "w") as fh:
            json.dump({"name": "m", "step": 45000, "source": "lib/zoo/training/m", "generator": "ema",
                       "fakes": 2000, "seeds": [1, 2, 3],
                       "metrics": {"swd_x1e3": {"mean": 11.0, "sd": sd, "min": 10.0, "max": 12.0},
                                   "fid_fmnist": {"mean": 0.7, "sd": 0.05, "min": 0.6, "max": 0.8}},
                       **extra}, fh)
        out = []
        C.write_noise(out.append, path, rows)
        return " ".join(out)

    ROWS = [{"step": "37500", "resolution": "16", "swd_x1e3": "9.0"},  # another stage: not compared
            {"step": "40000", "resolution": "32", "swd_x1e3": "11.66"},
            {"step": "42500", "resolution": "32", "swd_x1e3": "12.59"},
            {"step": "45000", "resolution": "32", "swd_x1e3": ""},  # no score at this row
            {"step": "47500", "resolution": "32", "swd_x1e3": "10.78"}]

    def test_a_net_move_below_one_sd_is_called_flat(self):
        text = self.paragraph(self.ROWS, 1.0)
        self.assertIn("steps 40,000 to 47,500", text)
        self.assertIn("moved its SWD x1e3 by -0.88, less than one sd", text)
        self.assertIn("sd 1", text)

    def test_settings_borrowed_from_a_curve_run_are_named(self):
        own = self.paragraph(self.ROWS, 1.0, evaluationFrom="lib/zoo/training/m/config.json")
        self.assertNotIn("settings from", own)
        borrowed = self.paragraph(self.ROWS, 1.0, evaluationFrom="lib/reproduction/curves/m-curve.json")
        self.assertIn("(lib/zoo/training/m), as the curve's evaluation scores (settings from"
                      " `lib/reproduction/curves/m-curve.json`), scored 3 times", borrowed)

    def test_a_net_move_above_one_sd_is_called_more_than_the_noise(self):
        text = self.paragraph(self.ROWS, 0.4)
        self.assertIn("by -0.88, 2.2 sd: more than one evaluation's noise", text)

    def test_a_curve_run_without_its_own_measurement_is_read_against_its_recipes_model(self):
        tmp = tempfile.mkdtemp(prefix="noise-of-")
        self.addCleanup(shutil.rmtree, tmp)
        open(os.path.join(tmp, "m.json"), "w").close()
        self.assertEqual(C.noise_of(tmp, "m-curve"), os.path.join(tmp, "m.json"))
        open(os.path.join(tmp, "m-long.json"), "w").close()
        self.assertEqual(C.noise_of(tmp, "m-long"), os.path.join(tmp, "m-long.json"), "its own, where measured")
        self.assertEqual(C.noise_of(tmp, "other"), os.path.join(tmp, "other.json"))
        # a model under a name of its own, measured with this curve's evaluation, is read against it
        with open(os.path.join(tmp, "m-20k.json"), "w") as fh:
            json.dump({"evaluationFrom": "lib/reproduction/curves/m-curve.json"}, fh)
        self.assertEqual(C.noise_of(tmp, "m-curve"), os.path.join(tmp, "m-20k.json"))
        self.assertEqual(C.noise_of(tmp, "m-long"), os.path.join(tmp, "m-long.json"))
