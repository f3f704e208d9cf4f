"""Batched training: stacked runs give the same trajectories as runs trained one by one."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganlab.config import load_config
from ganlab.store import open_trajectory
from ganlab.sweep import load_sweep, run_sweep, stacked
from ganlab.sweep.batched import batching_obstacle, train_batched
from ganlab.sweep.plan import PlannedRun, make_tasks
from ganlab.sweep.tasks import run_task
from ganlab.training import train
from sweep_fixtures import TINY_SET, trajectory_differences, write_sweep

TINY = {"generator.hidden": 16, "discriminator.hidden": 16, "training.batch_size": 32,
        "training.steps": 25, "record.every": 10, "record.scalars_every": 5, "record.grid": 12,
        "record.field_grid": 4, "record.samples": 64, "record.real": 128,
        "record.manifold_grid": 4, "record.checkpoint_every": 10, "record.params_every": 5}

CASES = {
    "alternating-adam": {},
    "simultaneous-sgd": {"training.scheme": "simultaneous", "optimizer.name": "sgd",
                         "optimizer.lr": 0.02, "optimizer.momentum": 0.9},
    "rmsprop-hinge-dsteps": {"optimizer.name": "rmsprop", "training.d_steps": 2,
                             "objective.loss": "hinge", "discriminator.activation": "leaky_relu"},
    "smoothing-ttur": {"objective.label_smoothing": 0.1, "optimizer.discriminator.lr": 4e-3},
}


def _configs(overrides, seeds=(0, 1, 2)):
    return [load_config("ring8", {**TINY, **overrides, "training.seed": s}) for s in seeds]


def _checkpoints_equal(first, second):
    if torch.is_tensor(first):
        return torch.equal(first, second)
    if isinstance(first, dict):
        return first.keys() == second.keys() and all(
            _checkpoints_equal(first[k], second[k]) for k in first)
    if isinstance(first, (list, tuple)):
        return len(first) == len(second) and all(
            _checkpoints_equal(a, b) for a, b in zip(first, second))
    return first == second


@pytest.mark.parametrize("case", sorted(CASES))
def test_batched_equals_separate(tmp_path, case):
    torch.set_num_threads(1)
    configs = _configs(CASES[case])
    batched_dirs = [tmp_path / f"batched-{k}" for k in range(3)]
    results = train_batched(configs, batched_dirs)
    assert [r.status for r in results] == ["completed"] * 3
    for k, config in enumerate(configs):
        separate = tmp_path / f"separate-{k}"
        train(config, separate)
        assert trajectory_differences(separate, batched_dirs[k]) == []
        a = torch.load(separate / "checkpoint.pt", weights_only=True)
        b = torch.load(batched_dirs[k] / "checkpoint.pt", weights_only=True)
        for key in ("generator", "discriminator", "g_optimizer", "d_optimizer", "data_rng",
                    "latent_rng", "global_rng", "committed", "step"):
            assert _checkpoints_equal(a[key], b[key]), key


def test_batched_resume_separately(tmp_path):
    # A checkpoint written by a batched group resumes as a normal run.
    from ganlab.training import resume

    configs = _configs({}, seeds=(4, 5))
    torch.set_num_threads(1)
    train_batched(configs, [tmp_path / "a", tmp_path / "b"])
    train(configs[0], tmp_path / "reference")
    longer = load_config(configs[0], {"training.steps": 35})
    assert resume(tmp_path / "reference", longer).status == "completed"
    assert resume(tmp_path / "a", longer).status == "completed"
    assert trajectory_differences(tmp_path / "reference", tmp_path / "a") == []


@pytest.mark.parametrize("overrides", [
    {"training.batch_size": 24},
    {"generator.activation": "tanh", "discriminator.activation": "tanh"},
], ids=["batch-24", "tanh"])
def test_inexact_settings_within_tolerance(tmp_path, overrides):
    # These settings change float32 rounding in the last bits (see plan.py), so
    # --batched auto trains them separately; --batched on accepts this difference.
    torch.set_num_threads(1)
    configs = _configs(overrides, seeds=(0, 1))
    train_batched(configs, [tmp_path / "b0", tmp_path / "b1"])
    for k, config in enumerate(configs):
        train(config, tmp_path / f"s{k}")
        with open_trajectory(tmp_path / f"s{k}") as a, open_trajectory(tmp_path / f"b{k}") as b:
            difference = np.abs(a.samples.astype(np.float64) - b.samples).max()
            assert difference < 1e-4


def test_sweep_auto_batches_and_matches(tmp_path):
    path = write_sweep(tmp_path, f"""
base = "ring8"
seeds = 4

[sweep]
steps = 20
set = {{ {TINY_SET} }}
""")
    batched = run_sweep(path, tmp_path / "batched", jobs=1, progress=False, summarize=False)
    assert [run["batched"] for run in batched.index["runs"]] == [True] * 4
    separate = run_sweep(path, tmp_path / "separate", jobs=1, batched="off", progress=False,
                         summarize=False)
    assert [run["batched"] for run in separate.index["runs"]] == [False] * 4
    for run in batched.index["runs"]:
        assert trajectory_differences(tmp_path / "batched" / run["path"],
                                      tmp_path / "separate" / run["path"]) == []


def test_batching_rule(tmp_path):
    path = write_sweep(tmp_path, f"""
base = "ring8"
seeds = 4

[sweep]
set = {{ {TINY_SET} }}

[[variants]]
name = "plain"

[[variants]]
name = "unrolled"
set = {{ "regularizer.names" = ["unrolled"] }}

[[variants]]
name = "double"
set = {{ "training.precision" = "float64" }}
""")
    spec = load_sweep(path)
    planned = [PlannedRun(run, tmp_path / run.path, "train", "new") for run in spec.runs]

    def grouped(tasks):
        return sorted(len(task["runs"]) for task in tasks if task["batched"])

    assert grouped(make_tasks(planned, batched="auto", jobs=1)) == [4]
    assert grouped(make_tasks(planned, batched="auto", jobs=2)) == []
    assert grouped(make_tasks(planned, batched="on", jobs=2)) == [2, 2, 2, 2]
    assert grouped(make_tasks(planned, batched="off", jobs=1)) == []
    three = [p for p in planned if p.spec.variant == "plain"][:3]
    assert grouped(make_tasks(three, batched="auto", jobs=1)) == []
    unrolled = next(run for run in spec.runs if run.variant == "unrolled")
    assert "regularizer.names" in batching_obstacle(unrolled.config)
    consensus = load_config("configs/methods/consensus_ring8.toml")
    assert batching_obstacle(consensus) is not None


def test_inexact_product_falls_back(tmp_path, monkeypatch):
    original = stacked.batched_linear
    monkeypatch.setattr(stacked, "batched_linear",
                        lambda x, w, b: original(x, w, b) * (1 + 1e-6))
    configs = _configs({}, seeds=(0, 1))
    task = {"runs": [{"path": str(tmp_path / f"r{k}"), "config": c, "action": "train"}
                     for k, c in enumerate(configs)], "batched": True, "threads": 1}
    outcomes = run_task(task)
    assert [o["status"] for o in outcomes] == ["completed", "completed"]
    assert [o["batched"] for o in outcomes] == [False, False]


def test_diverged_run_leaves_group(tmp_path):
    # With SGD at lr 10, seed 2 diverges at step 4 while seeds 0 and 1 complete, so the
    # group drops one run mid-training and the others must continue unchanged.
    torch.set_num_threads(1)
    configs = _configs({"optimizer.name": "sgd", "optimizer.lr": 10.0})
    results = train_batched(configs, [tmp_path / f"b{k}" for k in range(3)])
    for k, config in enumerate(configs):
        separate = train(config, tmp_path / f"s{k}")
        assert results[k].status == separate.status
        assert results[k].steps_done == separate.steps_done
        assert trajectory_differences(tmp_path / f"s{k}", tmp_path / f"b{k}") == []
    assert [r.status for r in results] == ["completed", "completed", "diverged"]
