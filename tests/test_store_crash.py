"""Crash safety: writers killed with SIGKILL, and readers running beside a writer.

The writer child writes row i of every array filled with the value i (and step
10 * i), so a reader can check each committed row against its index.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import h5py
import numpy as np
import pytest

from ganlab.store import create_store, open_store, open_store_for_append, open_trajectory

BACKENDS = ["zarr", "hdf5"]
KILLS_PER_BACKEND = 18

WRITER = """
import sys
import numpy as np
from ganlab.store import create_store

path, backend, rows, flush_every = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
writer = create_store(path, backend)
writer.set_attrs({"config": {"seed": 0}, "dim": 2})
writer.write_static("real", np.arange(6.0).reshape(3, 2))
# Small capacities make the arrays grow many times while the writer runs.
writer.define_series(
    "", {"samples": ((64, 2), np.float32), "discriminator": ((32, 32), np.float64)}, capacity=2
)
writer.define_series("scalars", {"loss": ((), np.float64), "spectrum": ((3,), np.complex128)}, capacity=2)
i = 0
while rows < 0 or i < rows:
    writer.append("", 10 * i, {"samples": np.full((64, 2), i), "discriminator": np.full((32, 32), i)})
    writer.append("scalars", 10 * i, {"loss": float(i), "spectrum": np.full(3, i + 1j * i)})
    i += 1
    if i % flush_every == 0:
        writer.flush()
        if i == flush_every:
            print("ready", flush=True)
    if i % 25 == 0:
        writer.set_attrs({"progress": i})
writer.set_status("completed", step=10 * (i - 1))
writer.close()
print("done", flush=True)
"""


def start_writer(tmp_path, backend, rows=-1, flush_every=3):
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    return subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "run"), backend, str(rows), str(flush_every)],
        stdout=subprocess.PIPE,
        text=True,
    )


def check_rows(trajectory) -> int:
    """Assert that every committed row contains its index; return the snapshot count."""
    count = len(trajectory)
    index = np.arange(count)
    np.testing.assert_array_equal(trajectory.steps, 10 * index)
    assert trajectory.samples.shape == (count, 64, 2)
    assert trajectory.discriminator.shape == (count, 32, 32)
    np.testing.assert_array_equal(trajectory.samples, np.broadcast_to(index[:, None, None], (count, 64, 2)))
    np.testing.assert_array_equal(
        trajectory.discriminator, np.broadcast_to(index[:, None, None], (count, 32, 32))
    )

    scalars = trajectory.scalars
    scalar_index = np.arange(len(scalars["step"]))
    np.testing.assert_array_equal(scalars["step"], 10 * scalar_index)
    np.testing.assert_array_equal(scalars["loss"], scalar_index.astype(float))
    np.testing.assert_array_equal(
        scalars["spectrum"], np.repeat((scalar_index + 1j * scalar_index)[:, None], 3, axis=1)
    )
    return count


def kill_and_check(tmp_path, backend, delay, resume):
    writer = start_writer(tmp_path, backend)
    assert writer.stdout.readline().strip() == "ready"
    time.sleep(delay)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert writer.returncode == -signal.SIGKILL

    trajectory = open_trajectory(tmp_path / "run")
    assert trajectory.status == "interrupted"
    assert trajectory.config == {"seed": 0}
    np.testing.assert_array_equal(trajectory.real, np.arange(6.0).reshape(3, 2))
    count = check_rows(trajectory)
    assert count >= 3
    trajectory.close()

    if resume:
        resumed = open_store_for_append(tmp_path / "run")
        resumed.append("", 10 * count, {"samples": np.full((64, 2), count), "discriminator": np.full((32, 32), count)})
        resumed.set_status("completed")
        resumed.close()
        trajectory = open_trajectory(tmp_path / "run")
        assert trajectory.status == "completed"
        assert check_rows(trajectory) == count + 1
        trajectory.close()
    return count


@pytest.mark.parametrize("backend", BACKENDS)
def test_sigkill_leaves_committed_rows(tmp_path, backend):
    rng = random.Random(1234)
    trials = [(tmp_path / f"kill{k}", rng.uniform(0.0, 0.6), k % 4 == 0) for k in range(KILLS_PER_BACKEND)]
    for directory, _, _ in trials:
        directory.mkdir()

    # Two writers at a time keep the test short on two cores.
    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = list(pool.map(lambda trial: kill_and_check(trial[0], backend, *trial[1:]), trials))
    # Kills at different moments leave different amounts of data. On a loaded machine the
    # writer is slow and many kills land in the same flush, so only a few distinct counts
    # are required.
    assert len(set(counts)) >= 3


@pytest.mark.parametrize("backend", BACKENDS)
def test_reader_never_sees_partial_rows(tmp_path, backend):
    writer = start_writer(tmp_path, backend, rows=400, flush_every=2)
    assert writer.stdout.readline().strip() == "ready"

    trajectory = open_trajectory(tmp_path / "run")
    seen = []
    while writer.poll() is None:
        trajectory.refresh()
        seen.append(check_rows(trajectory))
    writer.wait()
    assert writer.returncode == 0

    trajectory.refresh()
    assert check_rows(trajectory) == 400
    assert trajectory.status == "completed"
    assert seen == sorted(seen)
    assert len(set(seen)) >= 3
    trajectory.close()


def test_hdf5_append_writes_only_raw_data(tmp_path):
    writer = create_store(tmp_path / "run", "hdf5")
    writer.set_attrs({"config": {"seed": 0}})
    writer.define_series("", {"samples": ((64, 2), np.float32), "field": ((8, 8, 2), np.float64)}, capacity=64)
    writer.define_series("scalars", {"loss": ((), np.float64)}, capacity=64)
    location = tmp_path / "run" / "trajectory.h5"

    def append(rows):
        for i in rows:
            writer.append("", i, {"samples": np.full((64, 2), i), "field": np.full((8, 8, 2), i)})
            writer.append("scalars", i, {"loss": float(i)})
        writer.flush()

    append(range(0, 5))
    before = np.frombuffer(location.read_bytes(), dtype=np.uint8)
    append(range(5, 40))
    after = np.frombuffer(location.read_bytes(), dtype=np.uint8)
    assert after.size == before.size

    # Byte ranges that hold raw data: every chunk of the series and the committed counts.
    allowed = np.zeros(before.size, dtype=bool)
    with h5py.File(location, "r", locking=False) as file:
        for path in ("steps", "samples", "field", "scalars/step", "scalars/loss"):
            dataset = file[path].id
            for chunk in range(dataset.get_num_chunks()):
                info = dataset.get_chunk_info(chunk)
                allowed[info.byte_offset : info.byte_offset + info.size] = True
        for path in ("committed", "scalars/committed"):
            offset = file[path].id.get_offset()
            assert offset % 8 == 0
            allowed[offset : offset + 8] = True

    changed = np.flatnonzero(before != after)
    assert changed.size > 0
    assert allowed[changed].all(), f"bytes outside raw data changed at offsets {changed[~allowed[changed]][:10]}"
    writer.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_unclosed_writer_reads_as_interrupted(tmp_path, backend):
    script = (
        "import os, sys\n"
        "import numpy as np\n"
        "from ganlab.store import create_store\n"
        "writer = create_store(sys.argv[1], sys.argv[2])\n"
        "writer.define_series('scalars', {'loss': ((), np.float64)})\n"
        "writer.append('scalars', 0, {'loss': 1.0})\n"
        "writer.flush()\n"
        "writer.append('scalars', 1, {'loss': 2.0})\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "run"), backend], check=True)
    reader = open_store(tmp_path / "run")
    assert reader.attrs["status"] == "interrupted"
    assert reader.committed("scalars") == 1
    np.testing.assert_array_equal(reader.read_series("scalars", "loss"), [1.0])
    reader.close()


def test_writer_pid_and_host_recorded(tmp_path):
    writer = create_store(tmp_path / "run", "zarr")
    reader = open_store(tmp_path / "run")
    assert reader.attrs["writer_pid"] == os.getpid()
    assert reader.attrs["writer_host"] == os.uname().nodename
    reader.close()
    writer.close()
