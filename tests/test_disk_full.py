"""A full disk ends training with one clear error and leaves a readable store.

The in-process tests make the store's writes raise ``OSError(ENOSPC)`` after a
number of calls. The last test fills a real, small tmpfs; it needs root to
mount one and is skipped without it. Training is deterministic on the CPU, so
the snapshots kept in the store must equal the first snapshots of the same
run trained without a failure, and resuming after the disk has room again
must give exactly that run.
"""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import ganlab
from ganlab.checkpoint import CHECKPOINT_FILE
from ganlab.config import load_config
from ganlab.errors import StoreError
from ganlab.store.hdf5_store import HDF5Writer
from ganlab.store.zarr_store import ZarrWriter
from ganlab.training import Trainer, resume

ROOT = Path(__file__).resolve().parents[1]
SMALL_RUN = [
    "training.steps=60", "record.every=10", "record.scalars_every=5", "record.samples=32",
    "record.real=64", "record.grid=12", "record.field_grid=4", "record.manifold_grid=4",
    "generator.hidden=16", "discriminator.hidden=16", "training.batch_size=32",
    "record.flush_every=1", "record.checkpoint_every=20",
]
WRITERS = {"zarr": ZarrWriter, "hdf5": HDF5Writer}
SNAPSHOT_ARRAYS = ("samples", "discriminator", "field", "sample_grad", "manifold")


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("reference") / "run"
    ganlab.train(load_config("ring8", SMALL_RUN), out)
    return ganlab.open(out)


def fail_after(monkeypatch, cls, method: str, calls: int, once_exists: Path | None = None) -> None:
    """Make ``cls.method`` raise ENOSPC after ``calls`` further calls.

    With ``once_exists``, only calls made after that file appeared are counted.
    """
    original = getattr(cls, method)
    count = 0

    def failing(self, *args, **kwargs):
        nonlocal count
        if once_exists is None or once_exists.exists():
            count += 1
        if count > calls:
            # The Zarr writer's queued writes are lost with the failed call.
            for write in getattr(self, "_queued", []):
                write.close()
            if hasattr(self, "_queued"):
                self._queued = []
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, method, failing)


def assert_prefix_of(traj, reference, minimum: int) -> int:
    """Assert that ``traj`` contains the first snapshots and scalars of ``reference``."""
    count = len(traj)
    assert count >= minimum
    np.testing.assert_array_equal(traj.steps, reference.steps[:count])
    for name in SNAPSHOT_ARRAYS:
        np.testing.assert_array_equal(getattr(traj, name), getattr(reference, name)[:count],
                                      err_msg=name)
    scalars = traj.scalars
    rows = len(scalars["step"])
    for name, values in scalars.items():
        np.testing.assert_array_equal(values, reference.scalars[name][:rows], err_msg=name)
    return count


def assert_same_run(traj, reference) -> None:
    assert len(traj) == len(reference)
    assert_prefix_of(traj, reference, len(reference))
    assert len(traj.scalars["step"]) == len(reference.scalars["step"])


@pytest.mark.parametrize("backend", ["zarr", "hdf5"])
@pytest.mark.parametrize("method", ["_write_rows", "_make_durable"])
def test_full_disk_stops_with_store_error(tmp_path, monkeypatch, reference, backend, method):
    out = tmp_path / "run"
    trainer = Trainer(load_config("ring8", [*SMALL_RUN, f"record.backend={backend}"]), out)
    # The disk fills up a few writes after the first checkpoint (step 20).
    fail_after(monkeypatch, WRITERS[backend], method, 3, once_exists=out / CHECKPOINT_FILE)

    with pytest.raises(StoreError) as raised:
        trainer.run()
    message = str(raised.value)
    assert "\n" not in message
    assert "no space left on the device" in message
    assert str(out) in message
    assert (out / CHECKPOINT_FILE).exists()
    assert f"ganlab train --resume {out}" in message
    monkeypatch.undo()

    with ganlab.open(out) as traj:
        assert_prefix_of(traj, reference, 2)
        assert len(traj) < len(reference)
        if method == "_write_rows":
            # The buffered rows are dropped, so the status is still recorded.
            assert traj.status == "failed"
            assert "No space left on device" in traj.status_detail["error"]

    # With room on the disk again, the run resumes into the uninterrupted one.
    assert resume(out).status == "completed"
    with ganlab.open(out) as traj:
        assert_same_run(traj, reference)


def test_full_disk_before_checkpoint_says_train_again(tmp_path, monkeypatch):
    out = tmp_path / "run"
    trainer = Trainer(load_config("ring8", SMALL_RUN), out)
    fail_after(monkeypatch, ZarrWriter, "_write_rows", 3)

    with pytest.raises(StoreError) as raised:
        trainer.run()
    message = str(raised.value)
    assert not (out / CHECKPOINT_FILE).exists()
    assert "train it again with --overwrite" in message
    assert "--resume" not in message


def test_full_disk_while_creating_run(tmp_path, monkeypatch):
    fail_after(monkeypatch, ZarrWriter, "_write_attrs", 0)
    with pytest.raises(StoreError, match="while creating run") as raised:
        Trainer(load_config("ring8", SMALL_RUN), tmp_path / "run")
    assert "\n" not in str(raised.value)
    assert "--overwrite" in str(raised.value)


def test_checkpoint_write_failure_keeps_old_checkpoint(tmp_path, monkeypatch):
    from ganlab import checkpoint

    out = tmp_path / "run"
    ganlab.train(load_config("ring8", [*SMALL_RUN, "training.steps=20"]), out)
    trainer = Trainer(load_config("ring8", [*SMALL_RUN, "training.steps=40"]), out, resume=True)
    before = (out / CHECKPOINT_FILE).read_bytes()

    real_open = open

    class FullDiskFile(io.BytesIO):
        def write(self, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def full_disk_open(path, mode="r", *args, **kwargs):
        if mode == "wb":
            Path(path).touch()  # the file exists before the first write fails
            return FullDiskFile()
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(checkpoint, "open", full_disk_open, raising=False)
    with pytest.raises(OSError) as raised:
        checkpoint.save_checkpoint(trainer, 25)
    assert raised.value.errno == errno.ENOSPC
    assert (out / CHECKPOINT_FILE).read_bytes() == before
    assert not (out / (CHECKPOINT_FILE + ".tmp")).exists()
    trainer.writer.close()


# A real small file system --------------------------------------------------------

TMPFS_RUN = [
    "training.steps=100", "record.every=5", "record.scalars_every=5", "record.samples=256",
    "record.real=64", "record.grid=96", "record.field_grid=4", "record.manifold_grid=4",
    "generator.hidden=16", "discriminator.hidden=16", "training.batch_size=32",
    "record.flush_every=1", "record.checkpoint_every=10",
]


@pytest.fixture
def small_tmpfs(tmp_path):
    """Mount a 1 MiB tmpfs; skip when this process may not mount file systems."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs",
                             str(mount_point)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", str(mount_point)], capture_output=True)


def test_real_full_disk(tmp_path, small_tmpfs):
    reference_dir = tmp_path / "reference"
    ganlab.train(load_config("ring8", TMPFS_RUN), reference_dir)
    out = small_tmpfs / "run"
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "python"), environment.get("PYTHONPATH", "")])
    command = [sys.executable, "-m", "ganlab.cli", "-q", "train", "ring8", "--out", str(out),
               "--no-progress"]
    for item in TMPFS_RUN:
        command += ["--set", item]

    result = subprocess.run(command, capture_output=True, text=True, env=environment,
                            timeout=300)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("ganlab train: error: no space left on the device")

    with ganlab.open(reference_dir) as reference:
        with ganlab.open(out) as traj:
            assert traj.status in ("failed", "interrupted")
            assert_prefix_of(traj, reference, 2)

        # Freeing space (a larger tmpfs) and resuming completes the same run.
        assert "--resume" in last_line
        remount = subprocess.run(["mount", "-o", "remount,size=16m", str(small_tmpfs)],
                                 capture_output=True, text=True)
        assert remount.returncode == 0, remount.stderr
        assert resume(out).status == "completed"
        with ganlab.open(out) as traj:
            assert_same_run(traj, reference)
