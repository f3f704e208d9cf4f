"""Re-running a sweep: finished runs are skipped, interrupted ones resumed, failures recorded."""

from __future__ import annotations

import json
import shutil

import numpy as np

from ganlab.sweep import load_sweep, run_sweep
from ganlab.training import Trainer
from sweep_fixtures import TINY_SET, trajectory_differences, write_sweep

ONE_VARIANT = f"""
base = "ring8"
seeds = 2

[sweep]
steps = 30
set = {{ {TINY_SET} }}
"""


def _index(out):
    return json.loads((out / "sweep.json").read_text())


def test_rerun_skips_and_resumes(tmp_path):
    path = write_sweep(tmp_path, ONE_VARIANT)
    out = tmp_path / "out"
    run_sweep(path, out, jobs=1, batched="off", progress=False, summarize=False)
    reference = tmp_path / "reference"
    shutil.copytree(out / "runs/base/seed-1", reference)

    # Stop seed 1 after step 15, as SIGINT would, leaving a checkpoint and status interrupted.
    spec = load_sweep(path)
    config = next(run.config for run in spec.runs if run.seed == 1)
    trainer = Trainer(config, out / "runs/base/seed-1", overwrite=True)

    def stop_at_15(step, total):
        if step == 15:
            trainer.stop_signal = "SIGINT"

    trainer.on_step = stop_at_15
    assert trainer.run().status == "interrupted"
    untouched = (out / "runs/base/seed-0/trajectory.zarr/zarr.json").stat().st_mtime_ns

    result = run_sweep(path, out, jobs=1, batched="off", progress=False, summarize=False)
    actions = {run["seed"]: run["action"] for run in result.index["runs"]}
    assert actions == {0: "skip", 1: "resume"}
    statuses = {run["seed"]: run["status"] for run in _index(out)["runs"]}
    assert statuses == {0: "completed", 1: "completed"}
    assert (out / "runs/base/seed-0/trajectory.zarr/zarr.json").stat().st_mtime_ns == untouched
    assert trajectory_differences(reference, out / "runs/base/seed-1") == []


def test_failed_run_recorded_others_finish(tmp_path):
    points = tmp_path / "points.csv"
    rows = np.random.default_rng(0).normal(size=(64, 2))
    np.savetxt(points, rows, delimiter=",", header="x,y", comments="")
    (tmp_path / "points.toml").write_text(
        '[data]\nname = "points"\npath = "points.csv"\n', encoding="utf-8")
    path = write_sweep(tmp_path, ONE_VARIANT.replace("seeds = 2", "seeds = 1") + """
[[variants]]
name = "ring"

[[variants]]
name = "file"
base = "points.toml"
""")
    spec = load_sweep(path)
    points.unlink()  # valid when checked, missing when the run starts
    out = tmp_path / "out"
    result = run_sweep(spec, out, jobs=1, batched="off", progress=False)
    runs = {run["variant"]: run for run in _index(out)["runs"]}
    assert runs["ring"]["status"] == "completed"
    assert runs["file"]["status"] == "failed"
    assert "points.csv" in runs["file"]["reason"]
    assert result.runs("failed") == [runs["file"]]
    assert "| ring | 1 | 0 |" in (out / "summary.md").read_text()


def test_worker_failure_recorded(tmp_path, monkeypatch):
    path = write_sweep(tmp_path, ONE_VARIANT)
    from ganlab.sweep import tasks

    from ganlab import training

    original = training.Trainer.run

    def crash_seed_0(self):
        if self.seed == 0:
            raise RuntimeError("simulated crash")
        return original(self)

    monkeypatch.setattr(training.Trainer, "run", crash_seed_0)
    out = tmp_path / "out"
    run_sweep(path, out, jobs=1, batched="off", progress=False, summarize=False)
    statuses = {run["seed"]: (run["status"], run["reason"]) for run in _index(out)["runs"]}
    assert statuses[0] == ("failed", "RuntimeError: simulated crash")
    assert statuses[1] == ("completed", "")
