"""Stopping a sweep: Ctrl-C stops the running runs and starts none of the queued ones.

The sweep runs as a real `ganlab sweep` process with two worker processes. The
signal goes to the whole process group, as a terminal's Ctrl-C does, or to the
sweep's main process alone, as `kill -INT PID` and `kill PID` do.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ganlab.store import open_trajectory
from ganlab.sweep.plan import plan_runs
from ganlab.sweep.spec import load_sweep
from sweep_fixtures import TINY_SET, write_sweep

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

# Six runs of many steps each: two start, four wait in the pool's queue.
LONG_SWEEP = f"""
base = "ring8"
seeds = 6

[sweep]
name = "long"
steps = 200000
set = {{ {TINY_SET} }}

[[variants]]
name = "adam"
"""


# Launcher code that starts ganlab with SIGINT ignored, as a non-interactive shell starts `cmd &`.
IGNORING_SIGINT = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
                   "os.execv(sys.executable, [sys.executable, '-m', 'ganlab.cli', *sys.argv[1:]])")


def _start(tmp_path: Path, sigint_ignored: bool = False) -> tuple[subprocess.Popen, Path]:
    sweep = write_sweep(tmp_path, LONG_SWEEP)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    launcher = ["-c", IGNORING_SIGINT] if sigint_ignored else ["-m", "ganlab.cli"]
    process = subprocess.Popen(
        [sys.executable, *launcher, "sweep", str(sweep), "--out", str(out),
         "--jobs", "2", "--batched", "off", "--no-progress"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        start_new_session=True)
    return process, out


def _wait_for_checkpoints(out: Path, process: subprocess.Popen, count: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if len(list(out.glob("runs/adam/seed-*/checkpoint.pt"))) >= count:
            return
        if process.poll() is not None:
            pytest.fail(f"the sweep ended early: {process.communicate()[1]}")
        time.sleep(0.2)
    process.kill()
    pytest.fail("the first runs never wrote a checkpoint")


def _finish(process: subprocess.Popen) -> tuple[int, str]:
    try:
        _, stderr = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        _, stderr = process.communicate()
        pytest.fail(f"the sweep kept running after the signal: {stderr[-2000:]}")
    return process.returncode, stderr


def _statuses(out: Path) -> dict[str, str]:
    statuses = {}
    for run in sorted(out.glob("runs/adam/seed-*")):
        store = next(run.glob("trajectory.*"), None)
        if store is None:
            statuses[run.name] = "absent"
            continue
        with open_trajectory(store) as traj:
            statuses[run.name] = traj.status
    return statuses


@pytest.mark.parametrize("target", ["group", "main process", "SIGTERM", "SIGINT ignored"])
def test_interrupt_stops_running_and_queued_runs(tmp_path, target):
    process, out = _start(tmp_path, sigint_ignored=target == "SIGINT ignored")
    _wait_for_checkpoints(out, process, 2)

    if target == "group":
        os.killpg(process.pid, signal.SIGINT)
    elif target == "SIGTERM":
        os.kill(process.pid, signal.SIGTERM)
    else:
        os.kill(process.pid, signal.SIGINT)
    code, stderr = _finish(process)

    assert code == 130, stderr[-2000:]
    statuses = _statuses(out)
    interrupted = [name for name, status in statuses.items() if status == "interrupted"]
    assert len(interrupted) == 2, statuses
    # No run went on to its 200000 steps, and the queued runs never started training.
    assert "completed" not in statuses.values(), statuses
    trained = [name for name, status in statuses.items() if status != "absent"]
    assert len(trained) == 2, statuses

    index = json.loads((out / "sweep.json").read_text())
    by_status = {}
    for run in index["runs"]:
        by_status.setdefault(run["status"], []).append(run)
    assert len(by_status.get("interrupted", [])) == 6, index["runs"]

    # Running the sweep again resumes the two stopped runs and trains the other four.
    planned = plan_runs(load_sweep(tmp_path / "sweep.toml"), out)
    assert sorted(run.action for run in planned) == ["resume"] * 2 + ["train"] * 4
