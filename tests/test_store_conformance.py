"""Conformance tests that every trajectory store backend must pass.

Each test runs once per backend. Values read through ganlab are compared with
what was written, and stores are also read back with plain zarr or h5py.
"""

from __future__ import annotations

import json
import subprocess
import sys

import h5py
import numpy as np
import pytest
import zarr

from ganlab.errors import RunExistsError, StoreError, UsageError
from ganlab.store import (
    create_store,
    find_store,
    open_store,
    open_store_for_append,
    open_trajectory,
)
from ganlab.store.base import SCHEMA_VERSION

BACKENDS = ["zarr", "hdf5"]

DTYPES = [np.float32, np.float64, np.int64, np.complex64, np.complex128, np.bool_]


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


def sample_row(index: int, shape: tuple[int, ...], dtype) -> np.ndarray:
    """Return a deterministic row that differs between indices and elements."""
    values = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape) + 1000 * index
    dtype = np.dtype(dtype)
    if dtype.kind == "c":
        return (values + 1j * (values + 0.5)).astype(dtype)
    if dtype.kind == "b":
        return (values.astype(np.int64) % 3 == 0)
    return values.astype(dtype)


def write_mixed_store(path, backend, rows=7, capacity=0, flush_every=3):
    """Write a store with every supported dtype and return (store path, expected arrays)."""
    writer = create_store(path, backend)
    config = {"data": {"name": "ring", "modes": 8}, "seed": 3}
    writer.set_attrs({"config": config, "dim": 2, "note": "round trip"})

    static = {
        "real": np.random.default_rng(0).standard_normal((50, 2)),
        "latent": np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32),
        "grid_x": np.linspace(-2.0, 2.0, 5),
        "mode_weights": np.array([0.25, 0.75]),
    }
    for name, array in static.items():
        writer.write_static(name, array)

    fields = {f"f_{np.dtype(dtype).name}": ((2, 3), dtype) for dtype in DTYPES}
    writer.define_series("", {"samples": ((4, 2), np.float32), **fields}, capacity=capacity)
    writer.define_series("scalars", {"loss_d": ((), np.float64), "iters": ((), np.int64)})

    snapshots = {"steps": [], "samples": [], **{name: [] for name in fields}}
    scalars = {"step": [], "loss_d": [], "iters": []}
    for i in range(rows):
        row = {"samples": sample_row(i, (4, 2), np.float32)}
        row.update({name: sample_row(i, shape, dtype) for name, (shape, dtype) in fields.items()})
        writer.append("", 10 * i, row)
        for name, value in row.items():
            snapshots[name].append(value)
        snapshots["steps"].append(10 * i)

        writer.append("scalars", i, {"loss_d": 0.5 * i, "iters": i * i})
        scalars["step"].append(i)
        scalars["loss_d"].append(0.5 * i)
        scalars["iters"].append(i * i)
        if (i + 1) % flush_every == 0:
            writer.flush()
    writer.set_status("completed", step=10 * (rows - 1))
    writer.close()

    expected = {
        "config": config,
        "static": static,
        "": {name: np.asarray(values) for name, values in snapshots.items()},
        "scalars": {name: np.asarray(values) for name, values in scalars.items()},
    }
    return find_store(path)[0], expected


def test_round_trip_all_dtypes(tmp_path, backend):
    location, expected = write_mixed_store(tmp_path / "run", backend)
    reader = open_store(location)

    assert reader.backend == backend
    assert reader.attrs["config"] == expected["config"]
    assert reader.attrs["schema_version"] == SCHEMA_VERSION
    assert reader.attrs["status"] == "completed"
    assert reader.attrs["status_detail"] == {"step": 60}
    assert reader.attrs["dim"] == 2
    assert reader.attrs["note"] == "round trip"
    assert reader.attrs["library_versions"]["numpy"] == np.__version__
    assert sorted(reader.static_names()) == sorted(expected["static"])
    for name, array in expected["static"].items():
        stored = reader.read_static(name)
        assert stored.dtype == array.dtype, name
        np.testing.assert_array_equal(stored, array)

    for group in ("", "scalars"):
        assert reader.committed(group) == 7
        for name, array in expected[group].items():
            stored = reader.read_series(group, name)
            assert stored.dtype == array.dtype, (group, name)
            np.testing.assert_array_equal(stored, array, err_msg=f"{group}/{name}")
    reader.close()


def test_read_series_row_slices(tmp_path, backend):
    location, expected = write_mixed_store(tmp_path / "run", backend, rows=9)
    reader = open_store(location)
    steps = expected[""]["steps"]
    for rows in (slice(2, 5), slice(None, None, 3), slice(None, None, -1), slice(-2, None), slice(4, 4)):
        np.testing.assert_array_equal(reader.read_series("", "steps", rows), steps[rows])
    reader.close()


def test_plain_library_read_back(tmp_path, backend):
    location, expected = write_mixed_store(tmp_path / "run", backend)

    if backend == "zarr":
        root = zarr.open_group(str(location), mode="r")
        attrs = dict(root.attrs)
        assert json.loads(attrs["config"]) == expected["config"]
        assert attrs["schema_version"] == SCHEMA_VERSION
        count = int(root["committed"][()])
        arrays = {name: root[name][:count] for name in expected[""]}
        scalars = {name: root["scalars"][name][:] for name in expected["scalars"]}
        static = {name: root[name][:] for name in expected["static"]}
        assert root["samples"].metadata.dimension_names == ("snapshot", "sample", "coord")
    else:
        with h5py.File(location, "r") as file:
            attrs = {key: json.loads(value) for key, value in file.attrs.items()}
            assert json.loads(attrs["config"]) == expected["config"]
            assert attrs["schema_version"] == SCHEMA_VERSION
            count = int(file["committed"][()])
            arrays = {name: file[name][:count] for name in expected[""]}
            scalars = {name: file["scalars"][name][:] for name in expected["scalars"]}
            static = {name: file[name][()] for name in expected["static"]}
            dims = json.loads(file["samples"].attrs["dimension_names"])
            assert dims == ["snapshot", "sample", "coord"]

    assert count == 7
    for name, array in expected[""].items():
        np.testing.assert_array_equal(arrays[name], array, err_msg=name)
    for name, array in expected["scalars"].items():
        np.testing.assert_array_equal(scalars[name], array, err_msg=name)
    for name, array in expected["static"].items():
        np.testing.assert_array_equal(static[name], array, err_msg=name)


def test_unflushed_rows_invisible(tmp_path, backend):
    writer = create_store(tmp_path / "run", backend)
    writer.define_series("scalars", {"loss": ((), np.float64)})
    location = find_store(tmp_path / "run")[0]
    for i in range(5):
        writer.append("scalars", i, {"loss": float(i)})

    reader = open_store(location)
    assert reader.committed("scalars") == 0
    assert reader.read_series("scalars", "loss").shape == (0,)

    writer.flush()
    writer.append("scalars", 5, {"loss": 5.0})
    reader.refresh()
    assert reader.committed("scalars") == 5
    np.testing.assert_array_equal(reader.read_series("scalars", "loss"), np.arange(5.0))

    reader.close()
    writer.close()
    final = open_store(location)
    assert final.committed("scalars") == 6
    final.close()


@pytest.mark.parametrize("capacity", [1, 2, 5])
def test_growth_beyond_capacity(tmp_path, backend, capacity):
    location, expected = write_mixed_store(tmp_path / "run", backend, rows=37, capacity=capacity)
    reader = open_store(location)
    assert reader.committed("") == 37
    np.testing.assert_array_equal(reader.read_series("", "samples"), expected[""]["samples"])
    np.testing.assert_array_equal(
        reader.read_series("", "f_complex128"), expected[""]["f_complex128"]
    )
    reader.close()


def test_many_flushes(tmp_path, backend):
    location, expected = write_mixed_store(tmp_path / "run", backend, rows=60, flush_every=1)
    reader = open_store(location)
    assert reader.committed("") == 60
    np.testing.assert_array_equal(reader.read_series("", "steps"), 10 * np.arange(60))
    np.testing.assert_array_equal(reader.read_series("scalars", "iters"), np.arange(60) ** 2)
    reader.close()


def test_empty_series(tmp_path, backend):
    writer = create_store(tmp_path / "run", backend)
    writer.define_series("", {"samples": ((8, 2), np.float32)}, capacity=16)
    writer.define_series("metrics", {"w1": ((), np.float64)})
    writer.close()

    trajectory = open_trajectory(tmp_path / "run")
    assert len(trajectory) == 0
    assert trajectory.samples.shape == (0, 8, 2)
    assert trajectory.steps.shape == (0,)
    assert trajectory.metrics["w1"].shape == (0,)
    trajectory.close()


def test_reopen_reads_same_data(tmp_path, backend):
    location, expected = write_mixed_store(tmp_path / "run", backend)
    for _ in range(2):
        trajectory = open_trajectory(location)
        np.testing.assert_array_equal(trajectory.samples, expected[""]["samples"])
        np.testing.assert_array_equal(trajectory.steps, expected[""]["steps"])
        np.testing.assert_array_equal(trajectory.real, expected["static"]["real"])
        assert trajectory.snapshot(-1).step == 60
        trajectory.close()


def test_overwrite_refused_then_allowed(tmp_path, backend):
    create_store(tmp_path / "run", backend).close()
    with pytest.raises(RunExistsError) as raised:
        create_store(tmp_path / "run", backend)
    assert "--overwrite" in str(raised.value)
    assert "trajectory" in str(raised.value)

    writer = create_store(tmp_path / "run", backend, overwrite=True)
    writer.define_series("scalars", {"loss": ((), np.float64)})
    writer.close()
    reader = open_store(tmp_path / "run")
    assert reader.series_names() == ["scalars"]
    reader.close()


def test_other_backend_store_counts_as_existing(tmp_path, backend):
    other = "hdf5" if backend == "zarr" else "zarr"
    create_store(tmp_path / "run", other).close()
    with pytest.raises(RunExistsError):
        create_store(tmp_path / "run", backend)
    create_store(tmp_path / "run", backend, overwrite=True).close()
    assert find_store(tmp_path / "run")[1] == backend


def test_append_rejects_bad_rows(tmp_path, backend):
    writer = create_store(tmp_path / "run", backend)
    writer.define_series("", {"samples": ((4, 2), np.float32)})
    good = np.zeros((4, 2), dtype=np.float32)

    with pytest.raises(UsageError, match="unknown field"):
        writer.append("", 0, {"samples": good, "sampels": good})
    with pytest.raises(UsageError, match="lacks field"):
        writer.append("", 0, {})
    with pytest.raises(UsageError, match="shape"):
        writer.append("", 0, {"samples": np.zeros((4, 3))})
    with pytest.raises(UsageError, match="cannot be stored"):
        writer.append("", 0, {"samples": good.astype(np.complex64)})
    with pytest.raises(UsageError, match="not declared"):
        writer.append("metrics", 0, {"w1": 1.0})
    with pytest.raises(UsageError, match="reserved"):
        writer.define_series("scalars", {"committed": ((), np.int64)})
    with pytest.raises(UsageError, match="written by the store"):
        writer.set_attrs({"schema_version": 9})
    writer.close()

    reader = open_store(tmp_path / "run")
    assert reader.committed("") == 0
    reader.close()


def test_resume_keeps_committed_rows(tmp_path, backend):
    location, expected = write_mixed_store(tmp_path / "run", backend, rows=5)
    writer = open_store_for_append(tmp_path / "run")
    assert open_store(location).attrs["status"] == "running"

    fields = {f"f_{np.dtype(dtype).name}": ((2, 3), dtype) for dtype in DTYPES}
    writer.define_series("", {"samples": ((4, 2), np.float32), **fields})
    for i in range(5, 12):
        row = {"samples": sample_row(i, (4, 2), np.float32)}
        row.update({name: sample_row(i, shape, dtype) for name, (shape, dtype) in fields.items()})
        writer.append("", 10 * i, row)
    writer.set_status("completed")
    writer.close()

    trajectory = open_trajectory(location)
    assert len(trajectory) == 12
    np.testing.assert_array_equal(trajectory.steps, 10 * np.arange(12))
    expected_samples = np.stack([sample_row(i, (4, 2), np.float32) for i in range(12)])
    np.testing.assert_array_equal(trajectory.samples, expected_samples)
    np.testing.assert_array_equal(trajectory.scalars["loss_d"], expected["scalars"]["loss_d"])
    assert trajectory.status == "completed"
    trajectory.close()


def test_resume_rejects_changed_fields(tmp_path, backend):
    write_mixed_store(tmp_path / "run", backend, rows=2)
    writer = open_store_for_append(tmp_path / "run")
    with pytest.raises(StoreError, match="already exists"):
        writer.define_series("scalars", {"loss_d": ((), np.float32)})
    writer.close()


def test_resume_overwrites_uncommitted_rows(tmp_path, backend):
    writer = create_store(tmp_path / "run", backend)
    writer.define_series("scalars", {"loss": ((), np.float64)}, capacity=16)
    for i in range(4):
        writer.append("scalars", i, {"loss": float(i)})
    writer.flush()
    location = find_store(tmp_path / "run")[0]
    writer.close()

    # Garbage past the committed count, as left by a writer killed before its commit.
    if backend == "zarr":
        root = zarr.open_group(str(location), mode="r+")
        root["scalars"]["loss"].resize((16,))
        root["scalars"]["loss"][4:10] = -99.0
    else:
        with h5py.File(location, "r+") as file:
            file["scalars/loss"].resize((16,))
            file["scalars/loss"][4:10] = -99.0

    writer = open_store_for_append(location)
    assert open_store(location).committed("scalars") == 4
    writer.append("scalars", 4, {"loss": 4.0})
    writer.close()

    reader = open_store(location)
    np.testing.assert_array_equal(reader.read_series("scalars", "loss"), np.arange(5.0))
    reader.close()


def test_truncate_cuts_series(tmp_path, backend):
    writer = create_store(tmp_path / "run", backend)
    writer.define_series("scalars", {"loss": ((), np.float64)})
    for i in range(10):
        writer.append("scalars", i, {"loss": float(i)})
    writer.flush()
    writer.truncate("scalars", 6)
    with pytest.raises(UsageError, match="between 0"):
        writer.truncate("scalars", 7)
    writer.append("scalars", 6, {"loss": 60.0})
    writer.close()

    reader = open_store(tmp_path / "run")
    expected = np.array([0, 1, 2, 3, 4, 5, 60.0])
    np.testing.assert_array_equal(reader.read_series("scalars", "loss"), expected)
    np.testing.assert_array_equal(reader.read_series("scalars", "step"), np.arange(7))
    reader.close()


def test_dead_writer_reads_as_interrupted(tmp_path, backend):
    dead_pid = subprocess.Popen([sys.executable, "-c", "pass"])
    dead_pid.wait()

    writer = create_store(tmp_path / "run", backend)
    reader = open_store(tmp_path / "run")
    assert reader.attrs["status"] == "running"
    reader.close()

    writer.set_attrs({"writer_pid": dead_pid.pid})
    reader = open_store(tmp_path / "run")
    assert reader.attrs["status"] == "interrupted"
    assert reader.attrs["status_detail"]["stored_status"] == "running"
    assert str(dead_pid.pid) in reader.attrs["status_detail"]["reason"]
    reader.close()

    writer.set_attrs({"writer_host": "another-host.invalid"})
    reader = open_store(tmp_path / "run")
    assert reader.attrs["status"] == "running"
    reader.close()
    writer.close()


def test_final_status_kept_after_writer_exit(tmp_path, backend):
    script = (
        "import sys\n"
        "from ganlab.store import create_store\n"
        "writer = create_store(sys.argv[1], sys.argv[2])\n"
        "writer.set_status('diverged', step=12, reason='non-finite loss')\n"
        "writer.close()\n"
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "run"), backend], check=True)
    reader = open_store(tmp_path / "run")
    assert reader.attrs["status"] == "diverged"
    assert reader.attrs["status_detail"] == {"step": 12, "reason": "non-finite loss"}
    reader.close()
