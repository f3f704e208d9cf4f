"""The local and Ray engines on the same tiny sweep: same runs, same summary, same layout."""

from __future__ import annotations

import csv
import json
import math
import statistics

import imageio.v3 as iio
import pytest
import zarr

from ganlab.cli import main
from ganlab.config import load_config
from ganlab.sweep import run_sweep
from sweep_fixtures import trajectory_differences, write_sweep

ray = pytest.importorskip("ray")

VARIANTS = ("adam", "sgd")
SEEDS = (0, 1, 2)


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory):
    return write_sweep(tmp_path_factory.mktemp("spec"))


@pytest.fixture(scope="module")
def local_out(sweep_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    run_sweep(sweep_file, out, jobs=2, batched="off", progress=False)
    return out


@pytest.fixture(scope="module")
def ray_out(sweep_file, tmp_path_factory):
    # One local-only Ray session for this module; the engine uses it as it is.
    mp = pytest.MonkeyPatch()
    mp.setenv("RAY_USAGE_STATS_ENABLED", "0")
    ray.init(address="local", include_dashboard=False, _node_ip_address="127.0.0.1",
             num_cpus=2, log_to_driver=False)
    try:
        out = tmp_path_factory.mktemp("ray")
        run_sweep(sweep_file, out, engine="ray", batched="off", progress=False)
    finally:
        ray.shutdown()
        mp.undo()
    return out


def test_local_sweep_layout(local_out):
    index = json.loads((local_out / "sweep.json").read_text())
    assert [v["name"] for v in index["variants"]] == list(VARIANTS)
    assert index["seeds"] == list(SEEDS)
    assert len(index["runs"]) == 6
    for run in index["runs"]:
        assert run["status"] == "completed", run
        assert run["path"] == f"runs/{run['variant']}/seed-{run['seed']}"
        run_dir = local_out / run["path"]
        saved = load_config(run_dir / "config.toml")
        assert saved["training"]["seed"] == run["seed"]
        assert saved["training"]["steps"] == 30
        store = zarr.open_group(str(run_dir / "trajectory.zarr"), mode="r")
        assert store.attrs["status"] == "completed"
    sgd = next(v for v in index["variants"] if v["name"] == "sgd")
    assert sgd["overrides"]["optimizer.name"] == "sgd"


def test_ray_matches_local(local_out, ray_out):
    for variant in VARIANTS:
        for seed in SEEDS:
            path = f"runs/{variant}/seed-{seed}"
            assert trajectory_differences(local_out / path, ray_out / path) == [], path
    ray_index = json.loads((ray_out / "sweep.json").read_text())
    assert ray_index["engine"] == "ray"
    assert {run["status"] for run in ray_index["runs"]} == {"completed"}
    assert (local_out / "summary.csv").read_text() == (ray_out / "summary.csv").read_text()


def test_summary_matches_independent_statistics(local_out):
    with open(local_out / "summary.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for variant in VARIANTS:
        finals = {}
        for seed in SEEDS:
            metrics = zarr.open_group(
                str(local_out / f"runs/{variant}/seed-{seed}/trajectory.zarr"), mode="r")["metrics"]
            for name in ("w2", "mmd2", "energy", "modes_covered"):
                finals.setdefault(name, []).append(float(metrics[name][-1]))
            if "best_w2" not in finals:
                finals["best_w2"] = []
            finals["best_w2"].append(float(min(metrics["w2"][:])))
        for name in ("w2", "mmd2", "energy", "modes_covered"):
            row = next(r for r in rows if r["variant"] == variant and r["metric"] == name
                       and r["statistic"] == "final")
            values = finals[name]
            assert int(row["count"]) == len(values)
            assert float(row["mean"]) == pytest.approx(statistics.fmean(values), rel=1e-12)
            expected_sem = statistics.stdev(values) / math.sqrt(len(values))
            assert float(row["sem"]) == pytest.approx(expected_sem, rel=1e-9, abs=1e-15)
        best = next(r for r in rows if r["variant"] == variant and r["metric"] == "w2"
                    and r["statistic"] == "best")
        assert float(best["mean"]) == pytest.approx(statistics.fmean(finals["best_w2"]))


def test_tables_and_figure_written(local_out):
    markdown = (local_out / "summary.md").read_text()
    assert "| adam | 3 | 0 |" in markdown
    tex = (local_out / "summary.tex").read_text()
    assert tex.startswith(r"\begin{tabular}")
    assert r"$\pm$" in tex
    image = iio.imread(local_out / "comparison.png")
    assert image.ndim == 3
    assert image.shape[0] > 200
    assert (local_out / "comparison.pdf").read_bytes().startswith(b"%PDF")


def test_ray_missing_exits_2(sweep_file, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(__import__("sys").modules, "ray", None)
    status = main(["sweep", str(sweep_file), "--out", str(tmp_path / "out"), "--engine", "ray",
                   "--no-progress"])
    assert status == 2
    error = capsys.readouterr().err
    assert "pip install ganlab[ray]" in error
    assert not (tmp_path / "out" / "runs").exists()
