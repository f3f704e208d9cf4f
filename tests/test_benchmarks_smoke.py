"""Smoke tests of the benchmarks: each runs at --quick size and reports; timings are not checked."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
NAMES = ("training", "batched", "parallel", "render", "store", "scaling")

sys.path.insert(0, str(BENCHMARKS))


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, str]:
    """Run ``run_all.py --quick`` once; return the process and the log it wrote."""
    log = tmp_path_factory.mktemp("benchmarks") / "reports.txt"
    process = subprocess.run([sys.executable, str(BENCHMARKS / "run_all.py"), "--quick",
                              "--log", str(log)], capture_output=True, text=True,
                             cwd=tempfile.gettempdir(), timeout=1200)
    return process, log.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def quick_reports(quick_run) -> dict[str, str]:
    """Return each benchmark's report by name, from its title to its exit status line."""
    _, text = quick_run
    reports = {}
    for name in NAMES:
        end = text.index(f"[{name}: exit status")
        start = text.rfind("== ", 0, end)
        reports[name] = text[start:end]
    return reports


def test_run_all_succeeds(quick_run):
    process, _ = quick_run
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]


@pytest.mark.parametrize("name", NAMES)
def test_benchmark_exit_status_zero(quick_run, name):
    _, text = quick_run
    assert f"[{name}: exit status 0," in text


@pytest.mark.parametrize("name", NAMES)
def test_benchmark_reports_machine(quick_reports, name):
    report = quick_reports[name]
    assert "command:" in report
    assert "cores," in report
    assert "CPU capability" in report
    assert "torch threads 1" in report
    assert "load average (1, 5, 15 min) at start" in report
    assert "load average (1, 5, 15 min) at end" in report


@pytest.mark.parametrize("name, line", [
    ("training", "ganlab (recording on) / plain loop:"),
    ("training", "recording overhead (1 - recording on / minimized):"),
    ("training", "ganlab (recording minimized) / GEMM limit:"),
    ("training", "1 thread / 2 threads (recording minimized):"),
    ("batched", "batched / sequential throughput, training loop:"),
    ("parallel", "engine throughput / hand-made throughput:"),
    ("render", "speed-up (figure per frame / artists once):"),
    ("render", "encoding share of the artists-once time:"),
    ("store", "store share, zarr:"),
    ("store", "store share, hdf5:"),
    ("store", "zarr:"),
    ("store", "write hdf5:"),
    ("scaling", "relative"),
])
def test_benchmark_reports_ratio(quick_reports, name, line):
    assert line in quick_reports[name]


def test_step_products_match_flop_counter(tmp_path):
    # The GEMM limit must time the very products a ganlab step runs: PyTorch's own
    # FLOP counter over one real alternating step is the independent count.
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from bench_training import ring_config, step_products
    from ganlab.training import Trainer

    torch.set_num_threads(1)
    trainer = Trainer(ring_config(1, recording="minimal"), tmp_path / "run")
    with FlopCounterMode(display=False) as counter:
        trainer.scheme(trainer, 1)
    trainer.writer.close()
    listed = sum(2 * rows * inner * columns for _, rows, inner, columns in step_products())
    assert listed == counter.get_total_flops()


def test_scaling_figure_written(tmp_path):
    from bench_scaling import plot

    panel = {"points": [1, 2, 4], "median": [1.0, 2.1, 3.9], "low": [0.9, 2.0, 3.5],
             "high": [1.2, 2.4, 4.4], "relative": [1, 2, 4]}
    path = tmp_path / "scaling.png"
    plot([("a", "x", panel), ("b", "x", panel)], path)
    image = iio.imread(path)
    assert image.ndim == 3
    assert image.shape[1] > image.shape[0]
    assert np.ptp(image[..., :3]) > 0


def test_fit_line_recovers_slope():
    from bench_store import fit_line

    slope, intercept, r2 = fit_line([100, 200, 400, 800], [0.35, 0.6, 1.1, 2.1])
    assert slope == pytest.approx(0.0025)
    assert intercept == pytest.approx(0.1)
    assert r2 == pytest.approx(1.0)
