"""Store locations and the one-line errors for stores that cannot be read."""

from __future__ import annotations

import json
import os
from pathlib import Path

import h5py
import numpy as np
import pytest
import zarr

from ganlab.errors import StoreError, StoreNotFoundError, UsageError
from ganlab.store import create_store, find_store, open_store, open_trajectory, store_path
from ganlab.store.base import SCHEMA_VERSION

BACKENDS = ["zarr", "hdf5"]


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


def small_store(run_dir: Path, backend: str) -> Path:
    writer = create_store(run_dir, backend)
    writer.write_static("real", np.arange(8.0).reshape(4, 2))
    writer.define_series("", {"samples": ((64, 2), np.float32)})
    for i in range(3):
        writer.append("", i, {"samples": np.full((64, 2), i)})
    writer.set_status("completed")
    writer.close()
    return store_path(run_dir, backend)


def assert_one_line(error: Exception) -> None:
    message = str(error)
    assert "\n" not in message
    assert len(message) > 20


def test_store_path_names(tmp_path):
    assert store_path(tmp_path, "zarr") == tmp_path / "trajectory.zarr"
    assert store_path(tmp_path, "hdf5") == tmp_path / "trajectory.h5"
    with pytest.raises(UsageError, match="zarr, hdf5"):
        store_path(tmp_path, "netcdf")


def test_find_store_from_run_dir_or_store(tmp_path, backend):
    location = small_store(tmp_path / "run", backend)
    assert find_store(tmp_path / "run") == (location, backend)
    assert find_store(location) == (location, backend)
    assert find_store(str(location)) == (location, backend)


def test_create_store_at_explicit_path(tmp_path, backend):
    name = "custom.zarr" if backend == "zarr" else "custom.h5"
    create_store(tmp_path / name, backend).close()
    assert find_store(tmp_path / name) == (tmp_path / name, backend)
    with pytest.raises(UsageError, match="suffix"):
        create_store(tmp_path / "other.h5", "zarr")


def test_two_stores_in_run_dir(tmp_path):
    small_store(tmp_path / "run", "zarr")
    writer = create_store(tmp_path / "run" / "trajectory.h5", "hdf5", overwrite=True)
    writer.close()
    # The overwrite replaced the Zarr store of the same run, so exactly one is left.
    assert find_store(tmp_path / "run")[1] == "hdf5"

    (tmp_path / "run" / "trajectory.zarr").mkdir()
    with pytest.raises(StoreError, match="both") as raised:
        find_store(tmp_path / "run")
    assert_one_line(raised.value)


def test_missing_path(tmp_path):
    with pytest.raises(StoreNotFoundError, match="does not exist") as raised:
        open_trajectory(tmp_path / "nowhere")
    assert str(tmp_path / "nowhere") in str(raised.value)
    assert isinstance(raised.value, FileNotFoundError)
    assert_one_line(raised.value)


def test_empty_directory(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(StoreError, match="not a ganlab run directory") as raised:
        open_store(tmp_path / "empty")
    assert_one_line(raised.value)


def test_random_file(tmp_path):
    (tmp_path / "notes.txt").write_text("not a trajectory\n" * 10)
    with pytest.raises(StoreError, match="not a ganlab trajectory store") as raised:
        open_store(tmp_path / "notes.txt")
    assert_one_line(raised.value)


def test_foreign_zarr_group(tmp_path):
    root = zarr.create_group(str(tmp_path / "other.zarr"), zarr_format=3, attributes={"a": 1})
    root.create_array("x", shape=(3,), dtype="f8")[:] = 1.0
    with pytest.raises(StoreError, match="not a ganlab trajectory store") as raised:
        open_store(tmp_path / "other.zarr")
    assert_one_line(raised.value)


def test_foreign_zarr_v2_group(tmp_path):
    zarr.create_group(str(tmp_path / "old.zarr"), zarr_format=2)
    (tmp_path / "old.zarr" / "zarr.json").write_text("{}")
    with pytest.raises(StoreError) as raised:
        open_store(tmp_path / "old.zarr")
    assert_one_line(raised.value)


def test_foreign_hdf5_file(tmp_path):
    with h5py.File(tmp_path / "other.h5", "w") as file:
        file["x"] = np.arange(4)
        file.attrs["schema_version"] = 1
    with pytest.raises(StoreError, match="not a ganlab trajectory store") as raised:
        open_store(tmp_path / "other.h5")
    assert_one_line(raised.value)


def test_newer_schema_version(tmp_path, backend):
    location = small_store(tmp_path / "run", backend)
    newer = SCHEMA_VERSION + 1
    if backend == "zarr":
        root = zarr.open_group(str(location), mode="r+")
        root.attrs["schema_version"] = newer
    else:
        with h5py.File(location, "r+") as file:
            file.attrs["schema_version"] = json.dumps(newer)

    with pytest.raises(StoreError) as raised:
        open_trajectory(tmp_path / "run")
    message = str(raised.value)
    assert f"version {newer}" in message
    assert "upgrade ganlab" in message
    assert_one_line(raised.value)


def test_truncated_metadata(tmp_path, backend):
    location = small_store(tmp_path / "run", backend)
    target = location / "zarr.json" if backend == "zarr" else location
    size = os.path.getsize(target)
    with open(target, "r+b") as file:
        file.truncate(size // 2)

    with pytest.raises(StoreError) as raised:
        open_store(tmp_path / "run")
    assert str(location) in str(raised.value)
    assert_one_line(raised.value)


def test_truncated_zarr_chunk(tmp_path):
    location = small_store(tmp_path / "run", "zarr")
    chunk = location / "samples" / "c" / "0" / "0" / "0"
    assert chunk.is_file()
    with open(chunk, "r+b") as file:
        file.truncate(10)

    reader = open_store(location)
    with pytest.raises(StoreError, match="damaged") as raised:
        reader.read_series("", "samples")
    assert_one_line(raised.value)


def test_corrupt_hdf5_body(tmp_path):
    location = small_store(tmp_path / "run", "hdf5")
    data = bytearray(location.read_bytes())
    # Overwrite everything after the superblock: object headers and B-trees become garbage.
    data[96:] = bytes(len(data) - 96)
    location.write_bytes(bytes(data))
    with pytest.raises(StoreError) as raised:
        open_store(location)
    assert_one_line(raised.value)
