"""Measure how training and rendering costs grow: batch size, network width, grid resolution.

* Training: milliseconds per generator step of ganlab's alternating step on
  the ring preset (Adam, 2 hidden layers), against the batch size at width
  128 and against the width at batch 512.
* Rendering: milliseconds per animation frame (artists built once, no
  encoding) against the resolution of the discriminator surface grid, on a
  synthetic run (``ganlab.render.demo``) with 512 samples.

All points of one panel are measured in turn within each repeat, so every
repeat gives each point's cost relative to the reference point (batch 512,
width 128, grid 128) on the same machine state. The figure is written to
``docs/images/bench_scaling.png`` (or ``--figure``).

    python benchmarks/bench_scaling.py            # 2 repeats
    python benchmarks/bench_scaling.py --quick    # fewer points and steps (a smoke test)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import interleave, print_footer, print_header, ratios, summary  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FIGURE = ROOT / "docs" / "images" / "bench_scaling.png"


def time_training(batch: int, width: int, steps: int) -> float:
    """Return milliseconds per generator step of the alternating scheme, without recording."""
    from ganlab import config as config_module
    from ganlab.training import Trainer

    config = config_module.load_config("ring8", [
        "training.steps=1", f"training.batch_size={batch}", "training.device=cpu",
        "training.threads=1", f"generator.hidden={width}", f"discriminator.hidden={width}",
        "record.params_every=0", "metrics.enabled=[]"])
    with tempfile.TemporaryDirectory() as folder:
        trainer = Trainer(config, Path(folder) / "run")
        trainer.scheme(trainer, 1)  # first call allocates the optimizer state
        start = time.perf_counter()
        for step in range(steps):
            trainer.scheme(trainer, step + 2)
        seconds = time.perf_counter() - start
        trainer.writer.close()
    return 1000 * seconds / steps


def time_rendering(grid: int, frames: int) -> float:
    """Return milliseconds per animation frame at surface resolution ``grid``, without encoding."""
    from ganlab.render.animation import AnimationFigure
    from ganlab.render.demo import demo_trajectory
    from ganlab.render.scene import Layers
    from ganlab.render.selection import drawable_snapshots
    from ganlab.render.style import style_context

    traj = demo_trajectory(snapshots=frames, grid=grid, samples=512, field_grid=20)
    drawable = drawable_snapshots(traj)
    with style_context():
        animation = AnimationFigure(traj, drawable, dpi=100, layers=Layers(sample_arrows=True))
        animation.frame(0)
        start = time.perf_counter()
        for index in range(drawable.count):
            animation.frame(index)
        seconds = time.perf_counter() - start
    return 1000 * seconds / drawable.count


def measure(label: str, unit: str, points, reference, cost, repeats: int) -> dict:
    """Time ``cost(point)`` for every point, interleaved; print and return medians and ratios."""
    values = interleave({point: (lambda p=point: cost(p)) for point in points}, repeats,
                        verbose=False)
    print(f"{label}: milliseconds, median (min to max), and cost / cost at {unit} {reference}:")
    result = {"points": list(points), "median": [], "low": [], "high": [], "relative": []}
    for point in points:
        relative = ratios(values[point], values[reference])
        print(f"  {unit} {point}: {summary(values[point])} ms, relative {summary(relative)}")
        result["median"].append(statistics.median(values[point]))
        result["low"].append(min(values[point]))
        result["high"].append(max(values[point]))
        result["relative"].append(statistics.median(relative))
    return result


def plot(panels: list[tuple[str, str, dict]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.6),
                                constrained_layout=True)
    for axis, (title, xlabel, data) in zip(axes, panels):
        median = data["median"]
        errors = [[m - low for m, low in zip(median, data["low"])],
                  [high - m for m, high in zip(median, data["high"])]]
        axis.errorbar(data["points"], median, yerr=errors, marker="o", capsize=3)
        # A line of slope 1 through the first point shows linear growth.
        first_x, first_y = data["points"][0], median[0]
        axis.plot(data["points"], [first_y * x / first_x for x in data["points"]], "--",
                  color="0.6", label="linear growth")
        axis.set_xscale("log", base=2)
        axis.set_yscale("log")
        axis.set_title(title)
        axis.set_xlabel(xlabel)
        axis.set_ylabel("milliseconds (median, min to max)")
        axis.legend(loc="upper left", fontsize="small")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer points, steps and repeats")
    parser.add_argument("--repeats", type=int, default=2, help="repeats (default: 2)")
    parser.add_argument("--figure", type=Path, default=None,
                        help=f"PNG to write (default: {DEFAULT_FIGURE.relative_to(ROOT)}; "
                             f"none with --quick)")
    args = parser.parse_args(argv)
    if args.quick:
        batches, widths, grids, steps, frames, repeats = (256, 512), (64, 128), (64, 128), 3, 2, 2
    else:
        batches = (64, 128, 256, 512, 1024, 2048)
        widths = (32, 64, 128, 256, 512)
        grids = (32, 64, 128, 256)
        steps, frames, repeats = 30, 10, args.repeats
    figure = args.figure if args.figure is not None else (None if args.quick else DEFAULT_FIGURE)

    torch.set_num_threads(1)
    print_header("scaling: training against batch size and width, rendering against grid")
    by_batch = measure("training step against batch size (width 128)", "batch", batches, 512,
                       lambda batch: time_training(batch, 128, steps), repeats)
    by_width = measure("training step against width (batch 512)", "width", widths, 128,
                       lambda width: time_training(512, width, steps), repeats)
    by_grid = measure("animation frame against surface grid (512 samples)", "grid", grids, 128,
                      lambda grid: time_rendering(grid, frames), repeats)
    if figure is not None:
        plot([("training step, width 128", "batch size", by_batch),
              ("training step, batch 512", "hidden units per layer", by_width),
              ("animation frame", "surface grid points per axis", by_grid)], figure)
        print(f"figure: {figure}")
    print_footer()
    return 0


if __name__ == "__main__":
    sys.exit(main())
