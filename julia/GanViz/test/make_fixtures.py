"""Write the small trajectory stores that GanViz's Julia tests read, and their expected values.

Run from the repository root with ganlab installed:

    python3 julia/GanViz/test/make_fixtures.py

It writes into ``julia/GanViz/test/fixtures/``:

* ``ring2d.h5`` and ``ring2d.zarr``: the same 2D run (non-saturating loss) in both
  store formats, each with two uncommitted rows after the committed snapshots,
  as a writer killed between writing rows and committing them leaves them;
* ``critic1d.h5``: a 1D Wasserstein run without scalars whose last snapshot is
  non-finite;
* ``expected.json``: values computed here with numpy from the arrays read back
  through ganlab's own store reader, for the Julia tests to compare against.

Index conventions in ``expected.json``: snapshot and panel indices are 1-based
(Julia); array probes give the 0-based numpy index of the value.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import h5py
import numpy as np
import zarr

from ganlab.store import create_store, open_trajectory

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Rows appended after the committed ones, with values no figure may show.
UNCOMMITTED_ROWS = 2
GARBAGE = 1.0e6


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def ring2d_arrays() -> tuple[dict, dict, dict]:
    """A 2D run whose surface, field and manifold follow closed forms."""
    rng = np.random.default_rng(7)
    steps = np.array([0, 50, 100, 150, 200], dtype=np.int64)
    count = len(steps)

    angles = 2 * np.pi * np.arange(8) / 8
    centers = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    real = centers[rng.integers(0, 8, 64)] + 0.05 * rng.standard_normal((64, 2))

    # Different grid sizes along x and y, so a transposed surface cannot pass.
    grid_x = np.linspace(-2.0, 2.0, 12)
    grid_y = np.linspace(-1.5, 1.5, 10)
    field_x = np.linspace(-2.0, 2.0, 5)
    field_y = np.linspace(-1.5, 1.5, 4)

    # Raw discriminator output (a logit): D_t(x, y) = 0.5 (t + 1) x - y² + 0.1 t,
    # so ∇ₓD_t = (0.5 (t + 1), -2 y).
    def logit(t: int, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return 0.5 * (t + 1) * x - y**2 + 0.1 * t

    def gradient(t: int, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.stack([np.full_like(x, 0.5 * (t + 1)), -2.0 * y], axis=-1)

    gx, gy = np.meshgrid(grid_x, grid_y)  # (H, W), row r is grid_y[r]
    fx, fy = np.meshgrid(field_x, field_y)
    latent = rng.standard_normal((32, 2))
    shape = (5, 4)
    u, v = np.meshgrid(np.linspace(-1, 1, shape[0]), np.linspace(-1, 1, shape[1]), indexing="ij")
    manifold_latent = np.stack([u.ravel(), v.ravel()], axis=1)  # row-major over (5, 4)

    samples, discriminator, field, sample_grad, manifold = [], [], [], [], []
    for t in range(count):
        scale = (t + 1) / count
        points = scale * centers[np.arange(32) % 8] + 0.1 * latent
        samples.append(points)
        discriminator.append(logit(t, gx, gy))
        field.append(gradient(t, fx, fy))
        sample_grad.append(gradient(t, points[:, 0], points[:, 1]))
        manifold.append(manifold_latent @ np.array([[scale, 0.2], [0.1, scale]]) + 0.05 * t)

    static = {
        "real": real, "latent": latent, "grid_x": grid_x, "grid_y": grid_y,
        "field_x": field_x, "field_y": field_y, "manifold_latent": manifold_latent,
    }
    snapshots = {
        "steps": steps, "samples": np.array(samples), "discriminator": np.array(discriminator),
        "field": np.array(field), "sample_grad": np.array(sample_grad),
        "manifold": np.array(manifold),
    }
    scalar_steps = np.arange(0, 200, 10, dtype=np.int64)
    scalars = {
        "step": scalar_steps,
        "loss_d": 1.4 - 0.002 * scalar_steps,
        "loss_g": 0.7 + 0.001 * scalar_steps,
        "grad_norm": 1.0 + 0.01 * scalar_steps,
    }
    attrs = {
        "config": {"objective": {"loss": "nonsaturating"}, "data": {"name": "ring"}},
        "dim": 2,
        "manifold_shape": list(shape),
    }
    return attrs, static, {"": snapshots, "scalars": scalars}


def critic1d_arrays() -> tuple[dict, dict, dict]:
    """A 1D Wasserstein run; the last snapshot contains NaN, as after divergence."""
    rng = np.random.default_rng(11)
    steps = np.array([0, 10, 20, 30], dtype=np.int64)
    grid_x = np.linspace(-3.0, 3.0, 20)
    field_x = np.linspace(-3.0, 3.0, 7)
    real = rng.normal(1.0, 0.5, (64, 1))
    latent = rng.standard_normal((16, 1))

    samples, discriminator, field = [], [], []
    for t in range(len(steps)):
        samples.append(0.3 * t + 0.5 * latent)
        # Critic f_t(x) = (t + 1) tanh(x) - 0.2 t, so f_t'(x) = (t + 1) / cosh²(x).
        discriminator.append((t + 1) * np.tanh(grid_x) - 0.2 * t)
        field.append((t + 1) / np.cosh(field_x) ** 2)
    samples[-1][3, 0] = np.nan

    static = {"real": real, "latent": latent, "grid_x": grid_x, "field_x": field_x}
    snapshots = {
        "steps": steps, "samples": np.array(samples), "discriminator": np.array(discriminator),
        "field": np.array(field),
    }
    # No scalars series: the overview then draws its "no loss series" panel.
    attrs = {"config": {"objective": {"loss": "wasserstein"}}, "dim": 1}
    return attrs, static, {"": snapshots}


def write_store(path: Path, backend: str, attrs: dict, static: dict, series: dict) -> None:
    """Write a complete store with ganlab's writer."""
    with create_store(path, backend, overwrite=True) as writer:
        writer.set_attrs(attrs)
        for name, array in static.items():
            writer.write_static(name, array)
        for group, arrays in series.items():
            index = "steps" if group == "" else "step"
            fields = {
                name: (array.shape[1:], array.dtype) for name, array in arrays.items() if name != index
            }
            writer.define_series(group, fields, capacity=len(arrays[index]))
            for row in range(len(arrays[index])):
                values = {name: arrays[name][row] for name in fields}
                writer.append(group, int(arrays[index][row]), values)
        writer.flush()
        writer.set_status("completed")


def append_uncommitted_rows(path: Path, backend: str, snapshot_fields: list[str]) -> None:
    """Add rows past the committed count of the snapshot series, with plain h5py or zarr."""
    if backend == "hdf5":
        with h5py.File(path, "r+") as file:
            for name in ["steps", *snapshot_fields]:
                dataset = file[name]
                rows = dataset.shape[0]
                dataset.resize(rows + UNCOMMITTED_ROWS, axis=0)
                dataset[rows:] = 999 if name == "steps" else GARBAGE
        return
    root = zarr.open_group(str(path), mode="r+")
    for name in ["steps", *snapshot_fields]:
        array = root[name]
        rows = array.shape[0]
        array.resize((rows + UNCOMMITTED_ROWS, *array.shape[1:]))
        array[rows:] = 999 if name == "steps" else GARBAGE


def spread_indices(count: int, panels: int) -> list[int]:
    """1-based indices of ``numpy.round(numpy.linspace(0, count - 1, panels))``."""
    if panels >= count:
        return list(range(1, count + 1))
    return sorted({int(i) + 1 for i in np.round(np.linspace(0, count - 1, panels))})


def arrow_scale(max_norm: float, spacings: list[float]) -> float:
    return 0.9 * min(spacings) / max_norm if max_norm > 0 else 1.0


def expected_ring2d(path: Path) -> dict:
    """Expected values for ring2d, from the store read back by ganlab."""
    traj = open_trajectory(path)
    steps = traj.steps
    raw = traj.discriminator
    samples = traj.samples
    field = traj.field
    field_x, field_y = traj.field_x, traj.field_y
    spacing = [np.ptp(field_x) / (len(field_x) - 1), np.ptp(field_y) / (len(field_y) - 1)]

    panels = spread_indices(len(steps), 3)
    probes = [(0, 3, 7), (2, 9, 0), (4, 0, 11)]  # (t, r, c), numpy 0-based

    snapshot_index = int(np.argmin(np.abs(steps - 120)))
    vectors = field[snapshot_index].reshape(-1, 2)
    origins = np.stack(np.meshgrid(field_x, field_y), axis=-1).reshape(-1, 2)
    snapshot_norm = float(np.max(np.linalg.norm(vectors, axis=1)))

    frames = list(range(0, len(steps), 2))
    frame_norm = max(float(np.max(np.linalg.norm(field[t].reshape(-1, 2), axis=1))) for t in frames)
    manifold = traj.manifold[snapshot_index]
    rows, columns = traj.attrs["manifold_shape"]

    result = {
        "snapshot_count": len(steps),
        "steps": steps.tolist(),
        "samples_shape": list(samples.shape),
        "samples_probe": {"index": [2, 7, 1], "value": float(samples[2, 7, 1])},
        "discriminator_shape": list(raw.shape),
        "surface_probes": [
            {"index": list(p), "raw": float(raw[p]), "shown": float(sigmoid(raw[p]))} for p in probes
        ],
        "overview": {
            "panels": 3,
            "indices": panels,
            "steps": steps[[i - 1 for i in panels]].tolist(),
            "limits": [0.0, 1.0],
            "loss_names": ["loss_d", "loss_g"],
            "loss_last": [float(traj.scalars["loss_d"][-1]), float(traj.scalars["loss_g"][-1])],
        },
        "snapshot": {
            "step_requested": 120,
            "index": snapshot_index + 1,
            "step": int(steps[snapshot_index]),
            "arrow_count": len(vectors),
            "arrow_row": 6,
            "arrow_origin": origins[6].tolist(),
            "arrow_vector": vectors[6].tolist(),
            "arrow_scale": arrow_scale(snapshot_norm, spacing),
            "manifold_line_count": rows + columns,
            "manifold_first_line": manifold[:columns].tolist(),
            "manifold_first_column": manifold[::columns].tolist(),
        },
        "animation": {
            "every": 2,
            "indices": [t + 1 for t in frames],
            "steps": steps[frames].tolist(),
            "arrow_scale": arrow_scale(frame_norm, spacing),
        },
    }
    traj.close()
    return result


def expected_critic1d(path: Path) -> dict:
    traj = open_trajectory(path)
    steps = traj.steps
    finite = 0
    for t in range(len(steps)):
        arrays = [traj.samples[t], traj.discriminator[t], traj.field[t]]
        if not all(np.all(np.isfinite(a)) for a in arrays):
            break
        finite += 1
    panels = spread_indices(finite, 6)
    chosen = traj.discriminator[[i - 1 for i in panels]]
    largest = float(np.max(np.abs(chosen)))
    result = {
        "snapshot_count": len(steps),
        "finite_count": finite,
        "diverged_step": int(steps[finite]),
        "overview": {"panels": 6, "indices": panels, "limits": [-largest, largest]},
        "surface_probe": {"index": [1, 4], "shown": float(traj.discriminator[1, 4])},
        "snapshot_default_index": finite,
    }
    traj.close()
    return result


def main() -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    snapshot_fields = ["samples", "discriminator", "field", "sample_grad", "manifold"]

    attrs, static, series = ring2d_arrays()
    for backend, name in (("hdf5", "ring2d.h5"), ("zarr", "ring2d.zarr")):
        path = FIXTURES / name
        if path.is_dir():
            shutil.rmtree(path)
        write_store(path, backend, attrs, static, series)
        append_uncommitted_rows(path, backend, snapshot_fields)

    attrs, static, series = critic1d_arrays()
    write_store(FIXTURES / "critic1d.h5", "hdf5", attrs, static, series)

    expected = {
        "ring2d": expected_ring2d(FIXTURES / "ring2d.h5"),
        "ring2d_zarr": expected_ring2d(FIXTURES / "ring2d.zarr"),
        "critic1d": expected_critic1d(FIXTURES / "critic1d.h5"),
    }
    (FIXTURES / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")


if __name__ == "__main__":
    main()
