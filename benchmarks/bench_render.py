"""Time the animation renderer that builds its artists once against one that builds a figure per frame.

Both renderers draw the same synthetic run (``ganlab.render.demo``) at the same
pixel size and encode into MP4 files with the same writer. Runs alternate
between the two renderers and are repeated. The report gives the median time
of each, their ratio, and the share of the artists-once time spent encoding.

    python benchmarks/bench_render.py            # 300 snapshots, 128 x 128 surface, 512 points
    python benchmarks/bench_render.py --quick    # 20 snapshots, a smoke test
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import matplotlib
import torch

from ganlab.render.animation import AnimationFigure
from ganlab.render.demo import demo_trajectory
from ganlab.render.encoders import MP4Writer
from ganlab.render.scene import Layers
from ganlab.render.selection import drawable_snapshots
from ganlab.render.style import style_context

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import print_footer, print_header, ratios, report_ratio  # noqa: E402


def run_reused(traj, drawable, out: Path, dpi: float) -> tuple[float, float]:
    """Render with one figure whose artists are updated; return (total, encoding) seconds."""
    start = time.perf_counter()
    encoding = 0.0
    with MP4Writer(out, fps=30) as writer:
        animation = AnimationFigure(traj, drawable, dpi=dpi, layers=Layers(sample_arrows=True))
        for index in range(drawable.count):
            frame = animation.frame(index)
            tick = time.perf_counter()
            writer.write(frame)
            encoding += time.perf_counter() - tick
        tick = time.perf_counter()
    encoding += time.perf_counter() - tick
    return time.perf_counter() - start, encoding


def run_naive(traj, drawable, out: Path, dpi: float) -> tuple[float, float]:
    """Render with a new figure per frame; return (total, encoding) seconds."""
    start = time.perf_counter()
    encoding = 0.0
    with MP4Writer(out, fps=30) as writer:
        for index in range(drawable.count):
            animation = AnimationFigure(traj, drawable, dpi=dpi, layers=Layers(sample_arrows=True))
            frame = animation.frame(index)
            tick = time.perf_counter()
            writer.write(frame)
            encoding += time.perf_counter() - tick
        tick = time.perf_counter()
    encoding += time.perf_counter() - tick
    return time.perf_counter() - start, encoding


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 snapshots and 2 repeats")
    parser.add_argument("--snapshots", type=int, default=300, help="number of frames (default: 300)")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each renderer (default: 2)")
    parser.add_argument("--dpi", type=float, default=100, help="pixels per inch (default: 100)")
    args = parser.parse_args(argv)
    snapshots = 20 if args.quick else args.snapshots

    torch.set_num_threads(1)
    print_header("rendering: artists built once against a new figure per frame")
    print(f"matplotlib {matplotlib.__version__}")
    traj = demo_trajectory(snapshots=snapshots, grid=128, samples=512, field_grid=20)
    drawable = drawable_snapshots(traj)
    print(f"workload: {snapshots} snapshots, 128 x 128 surface, 512 samples, 20 x 20 arrows, "
          f"arrows at samples, dpi {args.dpi:g}")

    timings = {"artists once": [], "figure per frame": []}
    encodings = {"artists once": [], "figure per frame": []}
    renderers = {"artists once": run_reused, "figure per frame": run_naive}
    with tempfile.TemporaryDirectory() as folder, style_context():
        for repeat in range(args.repeats):
            order = list(renderers) if repeat % 2 == 0 else list(reversed(renderers))
            for name in order:
                out = Path(folder) / f"{name.replace(' ', '_')}.mp4"
                total, encoding = renderers[name](traj, drawable, out, args.dpi)
                timings[name].append(total)
                encodings[name].append(encoding)
                print(f"  repeat {repeat + 1} {name}: {total:.2f} s "
                      f"({1000 * total / snapshots:.1f} ms/frame, encoding {encoding:.2f} s)")

    reused = statistics.median(timings["artists once"])
    naive = statistics.median(timings["figure per frame"])
    share = statistics.median(encodings["artists once"]) / reused
    print(f"artists once:     median {reused:.2f} s ({1000 * reused / snapshots:.1f} ms/frame)")
    print(f"figure per frame: median {naive:.2f} s ({1000 * naive / snapshots:.1f} ms/frame)")
    report_ratio("speed-up (figure per frame / artists once)",
                 ratios(timings["figure per frame"], timings["artists once"]), target=5.0)
    report_ratio("encoding share of the artists-once time",
                 ratios(encodings["artists once"], timings["artists once"]), target=0.5,
                 higher_is_better=False)
    print(f"encoding share of the artists-once time (median): {100 * share:.1f} %")
    print_footer()
    return 0


if __name__ == "__main__":
    sys.exit(main())
