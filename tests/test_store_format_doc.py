"""The reading examples of docs/trajectory-format.md run against real stores."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from ganlab.store import create_store
from ganlab.store._common import initial_attrs

DOC = Path(__file__).resolve().parents[1] / "docs" / "trajectory-format.md"

SNAPSHOTS = 6
CAPACITY = 16
SCALAR_ROWS = 11


def doc_snippets() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def snippet_for(backend: str) -> str:
    marker = "xarray" if backend == "zarr" else "h5py"
    matches = [code for code in doc_snippets() if f"import {marker}" in code]
    assert len(matches) == 1, f"expected one {marker} example in {DOC.name}"
    return matches[0]


def write_live_run(run_dir: Path, backend: str):
    """Write a 2D run that is still open, so its arrays have preallocated rows."""
    rng = np.random.default_rng(5)
    writer = create_store(run_dir, backend)
    writer.set_attrs({"config": {"seed": 17, "data": {"name": "ring"}}, "dim": 2})
    writer.write_static("latent", rng.standard_normal((32, 3)).astype(np.float32))
    writer.write_static("grid_x", np.linspace(-3, 3, 20).astype(np.float32))
    writer.write_static("grid_y", np.linspace(-3, 3, 16).astype(np.float32))
    writer.define_series(
        "",
        {"samples": ((32, 2), np.float32), "discriminator": ((16, 20), np.float32)},
        capacity=CAPACITY,
    )
    samples = rng.standard_normal((SNAPSHOTS, 32, 2)).astype(np.float32)
    for i in range(SNAPSHOTS):
        writer.append("", 100 * i, {"samples": samples[i], "discriminator": np.full((16, 20), i)})
    for i in range(SCALAR_ROWS):
        if i == 0:
            writer.define_series("scalars", {"loss_d": ((), np.float64), "loss_g": ((), np.float64)})
        writer.append("scalars", 10 * i, {"loss_d": 1.0 / (i + 1), "loss_g": float(i)})
    writer.flush()
    return writer, samples


@pytest.mark.parametrize("backend", ["zarr", "hdf5"])
def test_doc_example_reads_live_run(tmp_path, monkeypatch, backend):
    writer, samples = write_live_run(tmp_path / "runs" / "ring", backend)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(snippet_for(backend), f"{DOC.name} ({backend})", "exec"), namespace)

    assert namespace["config"] == {"seed": 17, "data": {"name": "ring"}}
    if backend == "zarr":
        np.testing.assert_array_equal(namespace["last"], samples[-1])
        assert namespace["count"] == SNAPSHOTS
        assert namespace["snapshots"].sizes["snapshot"] == SNAPSHOTS
        surface = namespace["surface"]
        assert surface.dims == ("grid_y", "grid_x")
        np.testing.assert_array_equal(surface.values, np.full((16, 20), SNAPSHOTS - 1))
        np.testing.assert_allclose(surface["grid_x"].values, np.linspace(-3, 3, 20), rtol=1e-6)
        assert namespace["scalars"].sizes["step"] == SCALAR_ROWS
        np.testing.assert_array_equal(namespace["scalars"]["loss_g"].values, np.arange(SCALAR_ROWS))
    else:
        np.testing.assert_array_equal(namespace["samples"], samples)
        np.testing.assert_array_equal(namespace["steps"], 100 * np.arange(SNAPSHOTS))
        assert namespace["dims"] == ["snapshot", "sample", "coord"]
        assert namespace["attrs"]["status"] == "running"
        np.testing.assert_array_equal(namespace["losses"]["loss_g"], np.arange(SCALAR_ROWS))
        np.testing.assert_array_equal(namespace["losses"]["step"], 10 * np.arange(SCALAR_ROWS))
    writer.close()


def test_doc_lists_every_store_attribute():
    text = DOC.read_text(encoding="utf-8")
    for name in initial_attrs():
        assert f"| `{name}` |" in text, name
    for name in ("config", "dim", "committed", "steps", "samples", "discriminator", "field"):
        assert f"| `{name}`" in text, name
