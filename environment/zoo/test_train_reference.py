#!/usr/bin/python3
"""Checks of train_reference.py's bookkeeping for runs carried between sessions, on fake run folders (no
training, no jar): run by lib's ZooDriverTest with `python3 -m unittest` from this folder.

The carry keeps weeks of training: these check that it copies what a resume needs, writes a checkpoint too large
for a git host in parts that join to the same bytes, refuses damaged parts, continues from whichever of the local
and the carried run is further on, and removes the carried run only when exporting into the zoo.
"""
import json
import os
import shutil
import tempfile
import unittest

import train_reference as T
from train_reference import read_bytes, read_json

NAME = "progan-emoji32"  # any recipe: the fakes below stand in for its run


class CarryTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="carry-")
        self.saved = (T.ROOT, T.CARRIED, T.MAX_PART_BYTES)
        T.ROOT = self.tmp
        T.CARRIED = os.path.join(self.tmp, "lib", "zoo", "training")
        T.MAX_PART_BYTES = 1000
        self.stages = T.Stages(NAME, 1, work=os.path.join(self.tmp, "work"))

    def tearDown(self):
        T.ROOT, T.CARRIED, T.MAX_PART_BYTES = self.saved
        shutil.rmtree(self.tmp)

    def fake_run(self, run, step, size, steps=60000):
        os.makedirs(os.path.join(run, "checkpoints"), exist_ok=True)
        os.makedirs(os.path.join(run, "samples"), exist_ok=True)
        data = os.urandom(size)
        with open(os.path.join(run, "checkpoints", f"step-{step:08d}.ckpt"), "wb") as fh:
            fh.write(data)
        with open(os.path.join(run, "config.json"), "w") as fh:
            json.dump({"model": "progan", "steps": steps}, fh)
        for f, text in (("metrics.csv", "step,d_loss\n50,1.0\n"), ("status.json", "{}"), ("evaluations.jsonl", "")):
            with open(os.path.join(run, f), "w") as fh:
                fh.write(text)
        for grid in (f"step-{step:08d}.png", f"step-{step:08d}-raw.png", "step-00000500.png"):
            open(os.path.join(run, "samples", grid), "wb").close()
        return data

    def listing(self, *path):
        return sorted(os.listdir(os.path.join(*path)))

    def test_a_large_checkpoint_is_carried_in_parts_that_join_to_the_same_bytes(self):
        data = self.fake_run(self.stages.run, 2500, 2500)
        self.stages.carry()
        carried = self.stages.carried()
        self.assertEqual(self.listing(carried, "checkpoints"),
                         [f"step-00002500.ckpt.part-{i}" for i in range(3)] + ["step-00002500.ckpt.parts.json"])
        self.assertTrue(all(os.path.getsize(os.path.join(carried, "checkpoints", f)) <= 1000
                            for f in os.listdir(os.path.join(carried, "checkpoints"))))
        self.assertEqual(self.listing(carried, "samples"), ["step-00002500.png"], "the newest EMA grid only")
        cfg = read_json(os.path.join(carried, "config.json"))
        self.assertEqual(cfg["steps"], T.R.RECIPES[NAME]["config"]["steps"], "the recipe's length, not the run's")
        self.assertEqual(T.Stages.carried_step(carried), 2500)
        # a fresh clone: no local run; the parts are joined and checked
        shutil.rmtree(self.stages.work)
        fresh = T.Stages(NAME, 1, work=os.path.join(self.tmp, "work"))
        fresh.take_carried()
        self.assertEqual(self.listing(fresh.run, "checkpoints"), ["step-00002500.ckpt"])
        self.assertEqual(read_bytes(os.path.join(fresh.run, "checkpoints", "step-00002500.ckpt")), data)

    def test_a_damaged_part_is_refused_and_leaves_no_checkpoint(self):
        self.fake_run(self.stages.run, 2500, 2500)
        self.stages.carry()
        part = os.path.join(self.stages.carried(), "checkpoints", "step-00002500.ckpt.part-1")
        with open(part, "r+b") as fh:
            byte = fh.read(1)
            fh.seek(0)
            fh.write(bytes([byte[0] ^ 1]))
        shutil.rmtree(self.stages.work)
        fresh = T.Stages(NAME, 1, work=os.path.join(self.tmp, "work"))
        with self.assertRaises(SystemExit) as e:
            fresh.take_carried()
        self.assertIn("a part is missing or damaged", str(e.exception))
        self.assertEqual(self.listing(fresh.run, "checkpoints"), [])

    def test_a_missing_part_is_named_and_leaves_no_checkpoint(self):
        self.fake_run(self.stages.run, 2500, 2500)
        self.stages.carry()
        os.remove(os.path.join(self.stages.carried(), "checkpoints", "step-00002500.ckpt.part-2"))
        shutil.rmtree(self.stages.work)
        fresh = T.Stages(NAME, 1, work=os.path.join(self.tmp, "work"))
        with self.assertRaises(SystemExit) as e:
            fresh.take_carried()
        self.assertIn("step-00002500.ckpt.parts.json: its part step-00002500.ckpt.part-2 is missing", str(e.exception))
        self.assertEqual(self.listing(fresh.run, "checkpoints"), [], "no partial file")

    def test_a_manifest_naming_a_part_outside_its_folder_is_refused(self):
        self.fake_run(self.stages.run, 2500, 2500)
        self.stages.carry()
        manifest = os.path.join(self.stages.carried(), "checkpoints", "step-00002500.ckpt.parts.json")
        m = read_json(manifest)
        m["parts"][0] = "../step-00002500.ckpt.part-0"
        with open(manifest, "w") as fh:
            json.dump(m, fh)
        with self.assertRaises(SystemExit) as e:
            T.join(manifest, self.tmp)
        self.assertIn("parts must be named step-00002500.ckpt.part-N", str(e.exception))

    def test_an_older_local_run_does_not_replace_the_carried_one(self):
        self.fake_run(self.stages.run, 3000, 900)
        self.stages.carry()
        shutil.rmtree(self.stages.run)
        self.fake_run(self.stages.run, 1500, 10)
        with self.assertRaises(SystemExit) as e:
            self.stages.carry()
        self.assertIn("holds step 3000, further on than", str(e.exception))
        self.assertEqual(self.listing(self.stages.carried(), "checkpoints"), ["step-00003000.ckpt"])

    def test_a_small_checkpoint_is_carried_whole(self):
        data = self.fake_run(self.stages.run, 700, 900)
        self.stages.carry()
        self.assertEqual(self.listing(self.stages.carried(), "checkpoints"), ["step-00000700.ckpt"])
        self.assertEqual(read_bytes(os.path.join(self.stages.carried(), "checkpoints", "step-00000700.ckpt")), data)

    def test_the_platform_log_travels_with_the_run_when_there_is_one(self):
        self.fake_run(self.stages.run, 700, 10)
        self.stages.carry()  # a run from before platforms.jsonl: carried without one
        self.assertNotIn("platforms.jsonl", self.listing(self.stages.carried()))
        log = '{"step": 0, "resumed": false}\n{"step": 500, "resumed": true}\n'
        self.fake_run(self.stages.run, 1000, 10)
        with open(os.path.join(self.stages.run, "platforms.jsonl"), "w") as fh:
            fh.write(log)
        self.stages.carry()
        shutil.rmtree(self.stages.run)
        self.stages.take_carried()
        with open(os.path.join(self.stages.run, "platforms.jsonl")) as fh:
            self.assertEqual(fh.read(), log, "the next machine's session line is appended to the whole log")

    def test_the_run_further_on_continues(self):
        self.fake_run(self.stages.run, 3000, 900)
        self.stages.carry()
        # a local run behind the carried one is moved aside and the carried one taken
        shutil.rmtree(self.stages.run)
        self.fake_run(self.stages.run, 1500, 10)
        self.stages.take_carried()
        self.assertEqual(self.listing(self.stages.run, "checkpoints"), ["step-00003000.ckpt"])
        self.assertEqual(self.listing(self.stages.run + ".behind-1500", "checkpoints"), ["step-00001500.ckpt"])
        # a local run ahead of it stays as it is
        self.fake_run(self.stages.run, 3500, 10)
        self.stages.take_carried()
        self.assertEqual(self.listing(self.stages.run, "checkpoints"), ["step-00003000.ckpt", "step-00003500.ckpt"])

    def test_only_an_export_into_the_zoo_removes_the_carried_run(self):
        self.fake_run(self.stages.run, 3000, 900)
        self.stages.carry()
        ran = []
        saved_sh = T.sh
        T.sh = lambda cmd, log, threads: ran.append(cmd)  # the export command itself is not under test
        try:
            elsewhere = T.Stages(NAME, 1, work=self.stages.work, out=os.path.join(self.tmp, "elsewhere"))
            elsewhere.export()
            self.assertTrue(os.path.isdir(self.stages.carried()), "an export elsewhere keeps the carried run")
            self.stages.export()
            self.assertFalse(os.path.isdir(self.stages.carried()), "the zoo's export replaces it")
        finally:
            T.sh = saved_sh
        self.assertEqual([c[c.index("--out") + 1] for c in ran],
                         [os.path.join(self.tmp, "elsewhere"), os.path.join(self.tmp, "lib", "zoo", NAME)])

    def test_a_finished_run_outside_the_zoo_removes_its_carried_run_after_its_own_export(self):
        # progan-emoji32-long carries a 36 MB checkpoint between sessions; once its export is written, git need not
        # keep it, but an export that was told to go elsewhere (--out) leaves it, as for a zoo model
        long = T.Stages("progan-emoji32-long", 1, work=os.path.join(self.tmp, "long"))
        self.fake_run(long.run, 3000, 900)
        long.carry()
        ran = []
        saved_sh = T.sh
        T.sh = lambda cmd, log, threads: ran.append(cmd)
        try:
            T.Stages("progan-emoji32-long", 1, work=long.work, out=os.path.join(self.tmp, "elsewhere")).export()
            self.assertTrue(os.path.isdir(long.carried()), "an export elsewhere keeps the carried run")
            long.export()
            self.assertFalse(os.path.isdir(long.carried()), "its own export ends the carry")
        finally:
            T.sh = saved_sh
        self.assertEqual([c[c.index("--out") + 1] for c in ran],
                         [os.path.join(self.tmp, "elsewhere"), os.path.join(self.tmp, "long", "export")])
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "lib", "zoo", "progan-emoji32-long")),
                         "no zoo model is made")

    def test_a_recipe_outside_the_zoo_exports_into_its_work_folder(self):
        # dcgan-fmnist-curve re-runs dcgan-fmnist-20k's recipe for its curve: its export must not become a second model
        curve = T.Stages("dcgan-fmnist-curve", 1, work=os.path.join(self.tmp, "curve"))
        self.assertEqual(curve.out, os.path.join(self.tmp, "curve", "export"))
        self.assertEqual(T.Stages("dcgan-fmnist", 1).out, os.path.join(self.tmp, "lib", "zoo", "dcgan-fmnist"))


if __name__ == "__main__":
    unittest.main()
