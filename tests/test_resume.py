"""Checkpoints and exact resumption, including after SIGKILL and SIGINT."""

import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import ganlab
from ganlab.config import load_config
from ganlab.errors import ConfigError
from ganlab.training import resume

BASE = [
    "training.steps=120", "record.every=10", "record.scalars_every=5", "record.samples=32",
    "record.real=64", "record.grid=12", "record.field_grid=4", "record.manifold_grid=4",
    "generator.hidden=16", "discriminator.hidden=16", "training.batch_size=32",
    "record.checkpoint_every=20", "record.flush_every=1",
]


def assert_same_trajectory(a, b):
    np.testing.assert_array_equal(a.steps, b.steps)
    for name in ("samples", "discriminator", "field", "sample_grad", "manifold"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    scalars_a, scalars_b = a.scalars, b.scalars
    assert sorted(scalars_a) == sorted(scalars_b)
    for name in scalars_a:
        np.testing.assert_array_equal(scalars_a[name], scalars_b[name], err_msg=name)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("reference") / "run"
    ganlab.train(load_config("ring8", BASE), out)
    return ganlab.open(out)


@pytest.mark.parametrize("backend", ["zarr", "hdf5"])
def test_extended_run_equals_uninterrupted(tmp_path, backend):
    reference_run = tmp_path / "full"
    ganlab.train(load_config("ring8", [*BASE, f"record.backend={backend}"]), reference_run)
    out = tmp_path / "run"
    ganlab.train(load_config("ring8", [*BASE, "training.steps=60", f"record.backend={backend}"]), out)
    result = resume(out, overrides=["training.steps=120"])
    assert result.status == "completed"
    assert_same_trajectory(ganlab.open(out), ganlab.open(reference_run))


def test_resume_rejects_changed_config(tmp_path):
    out = tmp_path / "run"
    ganlab.train(load_config("ring8", [*BASE, "training.steps=40"]), out)
    with pytest.raises(ConfigError) as raised:
        resume(out, overrides=["training.steps=80", "optimizer.discriminator.lr=0.5",
                             "training.seed=3"])
    message = str(raised.value)
    assert "optimizer.discriminator.lr: 0.001 -> 0.5" in message
    assert "training.seed: 0 -> 3" in message
    assert "training.steps" not in message.split(". Only")[0]


def test_resume_completed_run_needs_more_steps(tmp_path):
    out = tmp_path / "run"
    ganlab.train(load_config("ring8", [*BASE, "training.steps=40"]), out)
    with pytest.raises(ConfigError, match="already reached step 40"):
        resume(out)


def _train_command(out, *extra):
    return [sys.executable, "-m", "ganlab.cli", "-q", "train", "ring8", "--out", str(out),
            "--no-progress", *[f"--set={item}" for item in [*BASE, *extra]]]


def _resume_command(out):
    return [sys.executable, "-m", "ganlab.cli", "-q", "train", "--resume", str(out),
            "--no-progress"]


@pytest.mark.parametrize("backend", ["zarr", "hdf5"])
def test_sigkill_then_resume_is_identical(tmp_path, reference, backend):
    # Kill training at random moments; every store must open with complete committed
    # snapshots, and resuming must reproduce the uninterrupted run exactly.
    reference_run = tmp_path / "reference"
    ganlab.train(load_config("ring8", [*BASE, f"record.backend={backend}"]), reference_run)
    expected = ganlab.open(reference_run)
    rng = random.Random(1234 if backend == "zarr" else 4321)
    kills = 0
    for attempt in range(3):
        out = tmp_path / f"run{attempt}"
        process = subprocess.Popen(_train_command(out, f"record.backend={backend}"),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # Start-up (imports) takes most of a second; the loop itself about as long.
        time.sleep(rng.uniform(1.5, 4.0))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=60)
        if not (out / "checkpoint.pt").exists():
            continue
        partial = ganlab.open(out)
        count = len(partial)
        assert partial.status in ("interrupted", "completed")
        np.testing.assert_array_equal(partial.samples, expected.samples[:count])
        partial.close()
        if partial.status == "interrupted":
            completed = subprocess.run(_resume_command(out), capture_output=True, text=True,
                                       timeout=120)
            assert completed.returncode == 0, completed.stderr
        assert_same_trajectory(ganlab.open(out), expected)
    assert kills >= 1


def test_sigint_stops_after_step_and_resumes(tmp_path, reference):
    out = tmp_path / "run"
    process = subprocess.Popen(_train_command(out, "training.steps=100000", "record.every=10"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and not (out / "checkpoint.pt").exists():
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    traj = ganlab.open(out)
    assert traj.status == "interrupted"
    stopped_at = traj.status_detail["step"]
    assert traj.status_detail["reason"] == "SIGINT"
    assert stopped_at >= 20
    assert os.path.exists(out / "checkpoint.pt")
