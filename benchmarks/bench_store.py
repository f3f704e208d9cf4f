"""Time the trajectory store: its share of training time, bytes per snapshot, and growth.

Three measurements, each repeated in one process run:

* share: ganlab trains the ring preset (batch 512, default recording) while
  every call into the store writer is timed; the store's seconds divided by
  the run's seconds is the share (target at most 5 %);
* bytes per snapshot: the size on disk of a store of N snapshots of the ring
  preset's arrays (128 x 128 surface, 20 x 20 field, 512 samples, 576
  manifold points), for the Zarr and the HDF5 backend;
* growth: seconds to write and to read back N = 100, 200, 400, 800 snapshots
  per backend, interleaved; a least-squares line through (N, seconds) gives
  the cost per snapshot, and the per-snapshot cost at the largest N divided by
  the one at the smallest N shows whether the growth stays linear (1 when it
  does).

    python benchmarks/bench_store.py            # 500 training steps, N up to 800, 2 repeats
    python benchmarks/bench_store.py --quick    # 20 steps, N up to 40, 2 repeats (a smoke test)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Stopwatch, interleave, print_footer, print_header, report_ratio, summary  # noqa: E402

WRITER_METHODS = ("set_attrs", "write_static", "define_series", "append", "flush", "set_status",
                  "close")


def time_store_share(steps: int, backend: str) -> float:
    """Train the ring preset with every store writer call timed; return the store's share."""
    from ganlab import config as config_module
    from ganlab.training import Trainer

    config = config_module.load_config("ring8", [
        f"training.steps={steps}", "training.batch_size=512", "training.device=cpu",
        f"record.backend={backend!r}".replace("'", '"')])
    stopwatch = Stopwatch()
    with tempfile.TemporaryDirectory() as folder:
        trainer = Trainer(config, Path(folder) / "run")
        writer = trainer.writer
        for name in WRITER_METHODS:
            setattr(writer, name, _timed(getattr(writer, name), stopwatch))
        start = time.perf_counter()
        trainer.run()
        total = time.perf_counter() - start
    return stopwatch.seconds / total


def _timed(method, stopwatch: Stopwatch):
    def call(*args, **kwargs):
        with stopwatch:
            return method(*args, **kwargs)
    return call


def ring_rows(count: int) -> list[dict[str, np.ndarray]]:
    """Return ``count`` snapshot rows shaped like the ring preset's, changing smoothly."""
    rng = np.random.default_rng(0)
    axis = np.linspace(-3, 3, 128)
    gx, gy = np.meshgrid(axis, axis)
    base_samples = rng.normal(size=(512, 2))
    rows = []
    for index in range(count):
        phase = 0.01 * index
        surface = np.sin(gx + phase) * np.cos(gy - phase) * 4
        rows.append({
            "samples": (base_samples * (1 + phase)).astype(np.float32),
            "manifold": rng.normal(size=(576, 2)).astype(np.float32),
            "sample_grad": rng.normal(size=(512, 2)).astype(np.float32),
            "discriminator": surface.astype(np.float32),
            "field": np.stack([surface[::6, ::6][:20, :20]] * 2, axis=-1).astype(np.float32),
        })
    return rows


def write_store(path: Path, backend: str, rows) -> float:
    """Write ``rows`` as a snapshot series, flushing every 10 rows; return seconds."""
    from ganlab.store import create_store
    from ganlab.store.base import SNAPSHOT_SERIES

    fields = {name: (value.shape, value.dtype) for name, value in rows[0].items()}
    start = time.perf_counter()
    writer = create_store(path, backend, overwrite=True)
    writer.define_series(SNAPSHOT_SERIES, fields, len(rows))
    for step, row in enumerate(rows):
        writer.append(SNAPSHOT_SERIES, step, row)
        if (step + 1) % 10 == 0:
            writer.flush()
    writer.set_status("completed")
    writer.close()
    return time.perf_counter() - start


def read_store(path: Path) -> float:
    """Read every snapshot array back through ``Trajectory``; return seconds."""
    from ganlab.store import open_trajectory

    start = time.perf_counter()
    trajectory = open_trajectory(path)
    arrays = (trajectory.steps, trajectory.samples, trajectory.manifold, trajectory.sample_grad,
              trajectory.discriminator, trajectory.field)
    total = sum(float(np.asarray(array).sum()) for array in arrays)
    if not np.isfinite(total):
        raise RuntimeError(f"the store {path} read back non-finite values")
    return time.perf_counter() - start


def size_on_disk(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())


def fit_line(counts, seconds) -> tuple[float, float, float]:
    """Return slope, intercept and R² of the least-squares line through (counts, seconds)."""
    counts, seconds = np.asarray(counts, float), np.asarray(seconds, float)
    slope, intercept = np.polyfit(counts, seconds, 1)
    residual = seconds - (slope * counts + intercept)
    r2 = 1 - residual.var() / seconds.var() if seconds.var() > 0 else 1.0
    return float(slope), float(intercept), float(r2)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke-sized run")
    parser.add_argument("--repeats", type=int, default=2, help="repeats (default: 2)")
    args = parser.parse_args(argv)
    if args.quick:
        steps, counts, repeats = 20, (10, 20, 40), 2
    else:
        steps, counts, repeats = 500, (100, 200, 400, 800), args.repeats
    torch.set_num_threads(1)
    print_header("trajectory store: share of training time, bytes per snapshot, growth")

    print(f"share of training time spent in the store writer (ring preset, batch 512, "
          f"{steps} steps, default recording):")
    shares = interleave({backend: lambda backend=backend: time_store_share(steps, backend)
                         for backend in ("zarr", "hdf5")}, repeats)
    for backend, values in shares.items():
        report_ratio(f"  store share, {backend}", values, target=0.05, higher_is_better=False)

    rows = ring_rows(max(counts))
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        print(f"bytes per snapshot ({max(counts)} snapshots of the ring preset's arrays, "
              f"{sum(value.nbytes for value in rows[0].values())} bytes uncompressed):")
        for backend in ("zarr", "hdf5"):
            path = folder / ("size.zarr" if backend == "zarr" else "size.h5")
            write_store(path, backend, rows)
            print(f"  {backend}: {size_on_disk(path) / max(counts):.0f} bytes per snapshot "
                  f"({size_on_disk(path)} bytes in all)")

        print("write and read seconds against the number of snapshots, median (min to max):")
        contenders = {}
        for backend in ("zarr", "hdf5"):
            suffix = ".zarr" if backend == "zarr" else ".h5"
            for count in counts:
                path = folder / f"{backend}-{count}{suffix}"
                contenders[f"write {backend} {count}"] = \
                    lambda p=path, b=backend, c=count: write_store(p, b, rows[:c])
                contenders[f"read {backend} {count}"] = lambda p=path: read_store(p)
        times = interleave(contenders, repeats, verbose=False)
        for backend in ("zarr", "hdf5"):
            for action in ("write", "read"):
                medians = [statistics.median(times[f"{action} {backend} {c}"]) for c in counts]
                for count, median in zip(counts, medians):
                    print(f"  {action} {backend} {count}: "
                          f"{summary(times[f'{action} {backend} {count}'])} s")
                slope, intercept, r2 = fit_line(counts, medians)
                per_first = medians[0] / counts[0]
                per_last = medians[-1] / counts[-1]
                print(f"  {action} {backend}: {1000 * slope:.3f} ms per snapshot, fixed "
                      f"{1000 * intercept:.1f} ms, R² {r2:.4f}; per-snapshot cost at "
                      f"{counts[-1]} / at {counts[0]}: {per_last / per_first:.2f}")
    print_footer()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")
    sys.exit(main())
