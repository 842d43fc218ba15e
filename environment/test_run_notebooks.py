"""Checks of run_notebooks.py's parallel lanes that need no kernel: the waves and the order lanes take notebooks
in, which notebook is a barrier, and how --jobs is read; and how an executed notebook's outputs are saved. (NotebooksIT executes the notebooks in two lanes.)

    cd environment && /usr/bin/python3 -m unittest -v test_run_notebooks
"""
import json
import os
import tempfile
import unittest
from unittest import mock

import run_notebooks as rn


class MergeStreamsTest(unittest.TestCase):
    def test_a_printfs_fragments_become_one_output_and_other_outputs_stay_between(self):
        import nbformat
        out = nbformat.v4.new_output
        cell = nbformat.v4.new_code_cell("x", outputs=[
            out("stream", name="stdout", text="GAN 3000 steps in "), out("stream", name="stdout", text="141"),
            out("stream", name="stdout", text=" s\n"), out("stream", name="stderr", text="warning\n"),
            out("display_data", data={"text/plain": "grid"}), out("stream", name="stdout", text="after\n")])
        nb = rn.merge_streams(nbformat.v4.new_notebook(cells=[cell]))
        got = [(o.output_type, o.get("name"), o.get("text")) for o in nb.cells[0].outputs]
        self.assertEqual([("stream", "stdout", "GAN 3000 steps in 141 s\n"), ("stream", "stderr", "warning\n"),
                          ("display_data", None, None), ("stream", "stdout", "after\n")], got)


class WavesTest(unittest.TestCase):
    PATHS = ["00.ipynb", "01.ipynb", "02.ipynb", "03.ipynb", "04.ipynb", "05.ipynb", "06.ipynb"]

    def test_a_barrier_splits_the_notebooks_into_waves(self):
        self.assertEqual([["00.ipynb", "01.ipynb", "02.ipynb", "03.ipynb"], ["04.ipynb"], ["05.ipynb", "06.ipynb"]],
                         rn.waves(self.PATHS, {}, ["04.ipynb"]))

    def test_without_barriers_there_is_one_wave_in_the_given_order(self):
        self.assertEqual([self.PATHS], rn.waves(self.PATHS, {}, []))

    def test_barriers_first_last_and_side_by_side_leave_no_empty_wave(self):
        self.assertEqual([["00.ipynb"], ["01.ipynb"], ["02.ipynb", "03.ipynb"], ["04.ipynb"]],
                         rn.waves(self.PATHS[:5], {}, ["00.ipynb", "01.ipynb", "04.ipynb"]))

    def test_recorded_times_put_the_longest_first_and_unknown_ones_ahead_of_them(self):
        times = {"00.ipynb": 9.0, "01.ipynb": 590.0, "02.ipynb": None, "03.ipynb": 600.0, "04.ipynb": 1000.0,
                 "05.ipynb": 100.0, "06.ipynb": 300.0}
        self.assertEqual([["02.ipynb", "03.ipynb", "01.ipynb", "00.ipynb"], ["04.ipynb"], ["06.ipynb", "05.ipynb"]],
                         rn.waves(self.PATHS, times, ["04.ipynb"]), "each wave is ordered on its own")

    def test_equal_times_keep_the_given_order(self):
        self.assertEqual([["c", "a", "b"]], rn.waves(["a", "b", "c"], {"a": 5.0, "b": 5.0, "c": 7.0}, []))


class PreviousTimesTest(unittest.TestCase):
    def test_only_times_of_the_same_profile_order_a_run(self):
        with tempfile.TemporaryDirectory() as out:
            with open(os.path.join(out, "timings.json"), "w", encoding="utf-8") as f:
                json.dump({"01-a": {"profile": "smoke", "seconds": 50.0},
                           "02-b": {"profile": "quick", "seconds": 500.0}}, f)
            self.assertEqual({"nb/01-a.ipynb": None, "nb/02-b.ipynb": 500.0, "nb/03-c.ipynb": None},
                             rn.previous_times(out, ["nb/01-a.ipynb", "nb/02-b.ipynb", "nb/03-c.ipynb"], "quick"))
            self.assertEqual({"nb/01-a.ipynb": None}, rn.previous_times(os.path.join(out, "none"), ["nb/01-a.ipynb"],
                                                                         "quick"))


class BarrierTest(unittest.TestCase):
    def notebook(self, metadata):
        f = tempfile.NamedTemporaryFile("w", suffix=".ipynb", delete=False, encoding="utf-8")
        with f:
            json.dump({"cells": [], "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}, f)
        self.addCleanup(os.unlink, f.name)
        return f.name

    def test_the_metadata_flag_is_read(self):
        self.assertTrue(rn.reads_earlier_runs(self.notebook({"ganlab": {"reads_earlier_runs": True}})))
        self.assertFalse(rn.reads_earlier_runs(self.notebook({"ganlab": {}})))
        self.assertFalse(rn.reads_earlier_runs(self.notebook({})))

    def test_a_missing_notebook_is_left_to_its_turn(self):
        self.assertFalse(rn.reads_earlier_runs("/nonexistent/notebook.ipynb"))

    def test_the_project_notebook_that_scores_every_run_is_the_barrier(self):
        nbs = os.path.join(rn.ROOT, "notebooks")
        barriers = sorted(n for n in os.listdir(nbs)
                          if n.endswith(".ipynb") and rn.reads_earlier_runs(os.path.join(nbs, n)))
        self.assertEqual(["04-metric-evaluation.ipynb"], barriers)


class JobsTest(unittest.TestCase):
    def test_numbers(self):
        self.assertEqual(1, rn.resolve_jobs("1", "quick"))
        self.assertEqual(3, rn.resolve_jobs("3", "full"), "a number given is taken as it is")

    def test_bad_values_name_the_option(self):
        for bad in ("0", "-2", "two", ""):
            with self.assertRaises(SystemExit) as e:
                rn.resolve_jobs(bad, "quick")
            self.assertIn("--jobs", str(e.exception.code))

    def test_auto(self):
        with mock.patch.object(rn, "cores", return_value=2):
            self.assertEqual(1, rn.resolve_jobs("auto", "full"), "a GPU run takes one notebook at a time")
            self.assertEqual(1, rn.resolve_jobs("auto", None), "no profile: the library may choose full")
            self.assertEqual(2 if self.memory_gb() >= 8 else 1, rn.resolve_jobs("auto", "quick"))
        with mock.patch.object(rn, "cores", return_value=1):
            self.assertEqual(1, rn.resolve_jobs("auto", "quick"))

    def test_a_blank_or_bad_thread_setting_counts_as_unset(self):
        for value, expected in (("", None), (" ", None), ("0", None), ("x", None), ("3", 3)):
            with mock.patch.dict(os.environ, {"GANLAB_THREADS": value}):
                self.assertEqual(expected, rn.threads_setting(), repr(value))

    @staticmethod
    def memory_gb():
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30


if __name__ == "__main__":
    unittest.main()
