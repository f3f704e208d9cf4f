"""Reading a run while it trains: render, diagnose, ``render --follow`` and raw polling.

Training runs in a child process that sleeps a little after every generator
step, so that it lasts several seconds and readers see it at many stages. It
can also hold at given steps until the test removes a file, so that a reader
is sure to run at that stage.
Training is deterministic on the CPU, so every snapshot seen while it runs
must equal the snapshot of the same step in the finished run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest
import zarr

import ganlab
from ganlab.cli import main
from ganlab.config import load_config
from ganlab.errors import StoreError, UsageError
from ganlab.render.live import follow_run, partial_path, render_atomically
from ganlab.store import open_trajectory

ROOT = Path(__file__).resolve().parents[1]
STEPS = 100
EVERY = 10
SMALL_RUN = [
    f"training.steps={STEPS}", f"record.every={EVERY}", "record.scalars_every=5",
    "record.samples=32", "record.real=64", "record.grid=12", "record.field_grid=4",
    "record.manifold_grid=4", "generator.hidden=16", "discriminator.hidden=16",
    "training.batch_size=32", "record.flush_every=1",
]

# After generator step N the trainer waits while the file RUN.holdN exists.
TRAINER = """
import os, sys, time
import ganlab
from ganlab.config import load_config

out, delay, overrides = sys.argv[1], float(sys.argv[2]), sys.argv[3:]

def on_step(step, total):
    time.sleep(delay)
    while os.path.exists(f"{out}.hold{step}"):
        time.sleep(0.02)

ganlab.train(load_config("ring8", overrides), out, on_step=on_step)
"""


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "python"), env.get("PYTHONPATH", "")])
    return env


def start_training(tmp_path: Path, delay: float, *overrides: str, holds=()) -> subprocess.Popen:
    """Start training into ``tmp_path/run``; it pauses after each step in ``holds``."""
    for step in holds:
        hold_file(tmp_path, step).touch()
    script = tmp_path / "trainer.py"
    script.write_text(TRAINER, encoding="utf-8")
    return subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "run"), str(delay), *SMALL_RUN, *overrides],
        env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )


def hold_file(tmp_path: Path, step: int) -> Path:
    return tmp_path / f"run.hold{step}"


def wait_for_snapshots(run: Path, count: int, process: subprocess.Popen, timeout=120.0) -> int:
    """Poll until ``run`` has ``count`` committed snapshots; return the count seen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"training ended early: {process.stderr.read()}"
        try:
            with open_trajectory(run) as traj:
                if len(traj) >= count:
                    return len(traj)
        except StoreError:
            pass  # the store is not created yet
        time.sleep(0.05)
    raise AssertionError(f"{run} did not reach {count} snapshots in {timeout} s")


def finish(process: subprocess.Popen) -> None:
    _, stderr = process.communicate(timeout=180)
    assert process.returncode == 0, stderr


@pytest.fixture
def kill_on_exit():
    processes = []
    yield processes.append
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_render_and_diagnose_while_training(tmp_path, capsys, kill_on_exit):
    process = start_training(tmp_path, 0.0, holds=[30])
    kill_on_exit(process)
    run = tmp_path / "run"
    wait_for_snapshots(run, 4, process)

    assert main(["render", str(run), "--out", str(tmp_path / "mid.png")]) == 0
    capsys.readouterr()
    assert main(["diagnose", str(run), "--json"]) == 0
    mid = json.loads(capsys.readouterr().out)
    assert process.poll() is None, "training finished before the readers ran"

    hold_file(tmp_path, 30).unlink()
    finish(process)
    assert main(["diagnose", str(run), "--json"]) == 0
    final = json.loads(capsys.readouterr().out)
    assert mid["last_step"] == 30
    assert final["last_step"] == STEPS

    assert main(["render", str(run), "--out", str(tmp_path / "final.png")]) == 0
    mid_image = iio.imread(tmp_path / "mid.png")
    final_image = iio.imread(tmp_path / "final.png")
    assert mid_image.ndim == 3
    assert mid_image.shape[0] > 100
    assert not np.array_equal(mid_image, final_image)


def test_follow_updates_until_training_ends(tmp_path, kill_on_exit):
    training = start_training(tmp_path, 0.01, holds=[30, 70])
    kill_on_exit(training)
    run, live = tmp_path / "run", tmp_path / "live.png"
    wait_for_snapshots(run, 1, training)

    follow = subprocess.Popen(
        [sys.executable, "-m", "ganlab.cli", "render", str(run), "--follow", "--interval", "0.3",
         "--out", str(live)],
        env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    kill_on_exit(follow)
    stderr_lines: list[str] = []
    reader = threading.Thread(target=lambda: stderr_lines.extend(follow.stderr), daemon=True)
    reader.start()

    # Every version of the output that appears must decode completely. The
    # trainer is released from each hold once --follow has rendered that step.
    versions, last_identity = [], None
    holds = [30, 70]
    deadline = time.monotonic() + 180
    while follow.poll() is None and time.monotonic() < deadline:
        if holds and any(f"up to step {holds[0]}," in line for line in list(stderr_lines)):
            hold_file(tmp_path, holds.pop(0)).unlink()
        try:
            status = live.stat()
        except FileNotFoundError:
            time.sleep(0.02)
            continue
        identity = (status.st_ino, status.st_mtime_ns, status.st_size)
        if identity != last_identity:
            versions.append(iio.imread(live))
            last_identity = identity
        time.sleep(0.02)
    follow.wait(timeout=60)
    reader.join(timeout=10)
    stderr = "".join(stderr_lines)

    assert follow.returncode == 0, stderr
    assert holds == [], stderr
    with open_trajectory(run) as traj:
        assert traj.status == "completed", "--follow exited while the run was still training"
    updates = [line for line in stderr.splitlines() if line.startswith("updated ")]
    assert len(updates) >= 3, stderr
    assert updates[-1].endswith(f"up to step {STEPS}, run completed")
    assert len(versions) >= 3
    assert not partial_path(live).exists()
    finish(training)

    # The last render is the completed run's figure.
    assert main(["render", str(run), "--out", str(tmp_path / "final.png")]) == 0
    np.testing.assert_array_equal(iio.imread(live), iio.imread(tmp_path / "final.png"))


@pytest.mark.parametrize("backend", ["zarr", "hdf5"])
def test_reader_sees_only_whole_snapshots(tmp_path, backend, kill_on_exit):
    process = start_training(tmp_path, 0.01, f"record.backend={backend}")
    kill_on_exit(process)
    run = tmp_path / "run"
    wait_for_snapshots(run, 1, process)

    seen: dict[int, dict[str, np.ndarray]] = {}
    counts = set()
    with open_trajectory(run) as traj:
        while process.poll() is None:
            traj.refresh()
            steps = traj.steps
            count = len(steps)
            counts.add(count)
            np.testing.assert_array_equal(steps, EVERY * np.arange(count))
            for name in ("samples", "discriminator", "field", "sample_grad", "manifold"):
                array = getattr(traj, name)
                assert array.shape[0] == count, name
                assert np.isfinite(array).all(), name
            scalars = traj.scalars
            assert len(scalars["step"]) == len(scalars["d_loss"])
            assert np.isfinite(scalars["d_loss"]).all()
            for index in range(count):
                seen[int(steps[index])] = {"samples": traj.samples[index].copy(),
                                           "discriminator": traj.discriminator[index].copy()}
            time.sleep(0.01)
    finish(process)

    assert len(counts) >= 3, f"the reader saw only the counts {sorted(counts)}"
    with open_trajectory(run) as final:
        assert final.status == "completed"
        index_of = {int(step): index for index, step in enumerate(final.steps)}
        for step, arrays in seen.items():
            np.testing.assert_array_equal(arrays["samples"], final.samples[index_of[step]])
            np.testing.assert_array_equal(arrays["discriminator"],
                                          final.discriminator[index_of[step]])


# Follow loop and atomic writes in-process --------------------------------------


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("finished") / "run"
    ganlab.train(load_config("ring8", [*SMALL_RUN, "training.steps=20"]), out)
    return out


def test_follow_finished_run_renders_once(tmp_path, finished_run):
    sleeps = []
    renders = follow_run(finished_run, "overview", tmp_path / "o.png", interval=5.0,
                         sleep=sleeps.append)
    assert renders == 1
    assert sleeps == []
    assert iio.imread(tmp_path / "o.png").ndim == 3


def test_follow_stops_on_ctrl_c(tmp_path, finished_run):
    run = tmp_path / "run"
    shutil.copytree(finished_run, run)
    # A store whose writer is this live process reads as still running.
    root = zarr.open_group(str(run / "trajectory.zarr"), mode="r+")
    root.attrs.update({"status": "running", "writer_pid": os.getpid()})

    def interrupt(seconds):
        raise KeyboardInterrupt

    renders = follow_run(run, "overview", tmp_path / "o.png", interval=0.1, sleep=interrupt)
    assert renders == 1
    assert (tmp_path / "o.png").exists()
    assert not partial_path(tmp_path / "o.png").exists()


def test_follow_rejects_non_positive_interval(tmp_path, finished_run):
    with pytest.raises(UsageError, match="--interval"):
        follow_run(finished_run, "overview", tmp_path / "o.png", interval=0.0)
    assert not (tmp_path / "o.png").exists()


def test_failed_render_keeps_old_output(tmp_path, finished_run):
    out = tmp_path / "o.png"
    out.write_bytes(b"the previous figure")
    with open_trajectory(finished_run) as traj:
        with pytest.raises(UsageError, match="fps"):
            render_atomically(traj, "overview", out, fps=3)
    assert out.read_bytes() == b"the previous figure"
    assert not partial_path(out).exists()
