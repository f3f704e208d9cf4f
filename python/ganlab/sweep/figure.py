"""The comparison figure of a sweep: final samples per variant and seed, and metric curves.

The top rows are small multiples, one row per variant and one column per seed
(at most ``MAX_SEEDS_SHOWN``), each showing the final generated samples over
the real data. The bottom row has one panel per metric with the mean over
seeds at every snapshot step and a band of ± one standard error.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

import numpy as np

from ganlab.sweep.summary import SUMMARY_METRICS, RunData, mean_and_standard_error

log = logging.getLogger(__name__)

MAX_SEEDS_SHOWN = 6
CURVE_METRICS = 3


def comparison_figure(out: Path, runs: list[RunData], index: dict[str, Any]) -> list[Path]:
    """Write ``comparison.png`` and ``comparison.pdf`` into ``out``; return their paths."""
    from ganlab.render.style import (
        CURVE_STYLES,
        generated_scatter_style,
        new_figure,
        real_scatter_style,
        save_figure,
        style_context,
    )

    variants = [v["name"] for v in index["variants"] if any(r.variant == v["name"] for r in runs)]
    seeds = sorted({run.seed for run in runs})[:MAX_SEEDS_SHOWN]
    metrics = [name for name in SUMMARY_METRICS if any(name in run.metrics for run in runs)]
    metrics = metrics[:CURVE_METRICS]
    columns = max(len(seeds), len(metrics), 1)
    rows = len(variants) + (1 if metrics else 0)

    with style_context():
        figure = new_figure((1.9 * columns + 0.6, 1.9 * rows + 0.4), dpi=110)
        grid = figure.add_gridspec(rows, columns)
        for row, variant in enumerate(variants):
            for column, seed in enumerate(seeds):
                ax = figure.add_subplot(grid[row, column])
                run = next((r for r in runs if r.variant == variant and r.seed == seed), None)
                _draw_samples(ax, run, real_scatter_style(2.0), generated_scatter_style(4.0))
                if row == 0:
                    ax.set_title(f"seed {seed}", fontsize=8)
                if column == 0:
                    ax.set_ylabel(variant, fontsize=8)
        if metrics:
            for column, name in enumerate(metrics):
                ax = figure.add_subplot(grid[rows - 1, column])
                for number, variant in enumerate(variants):
                    members = [r for r in runs if r.variant == variant and name in r.metrics]
                    _draw_curve(ax, members, name, variant, CURVE_STYLES[number % len(CURVE_STYLES)])
                ax.set_title(name, fontsize=8)
                ax.set_xlabel("generator step", fontsize=7)
                ax.tick_params(labelsize=6)
            figure.axes[-len(metrics)].legend(fontsize=6, frameon=False)
        figure.suptitle(str(index.get("name", "sweep")), fontsize=9)
        paths = [save_figure(figure, Path(out) / "comparison.png"),
                 save_figure(figure, Path(out) / "comparison.pdf")]
    return paths


def _draw_samples(ax, run: RunData | None, real_style: dict, generated_style: dict) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    if run is None or run.final_samples is None:
        ax.text(0.5, 0.5, "no run", ha="center", va="center", transform=ax.transAxes, fontsize=7)
        return
    samples = np.asarray(run.final_samples, dtype=float)
    real = None if run.real is None else np.asarray(run.real, dtype=float)
    if samples.shape[1] == 1:
        finite = samples[np.isfinite(samples[:, 0]), 0]
        if real is not None:
            ax.hist(real[:, 0], bins=40, density=True, color=real_style["c"], alpha=0.5)
        if finite.size:
            ax.hist(finite, bins=40, density=True, color=generated_style["c"], alpha=0.6)
    else:
        # Data of more than two dimensions is shown in its first two coordinates.
        if real is not None:
            ax.scatter(real[:, 0], real[:, 1], **{**real_style, "label": None})
        ax.scatter(samples[:, 0], samples[:, 1], **{**generated_style, "label": None})
        if real is not None:
            low, high = real[:, :2].min(axis=0), real[:, :2].max(axis=0)
            margin = 0.25 * float(np.max(high - low) or 1.0)
            ax.set_xlim(low[0] - margin, high[0] + margin)
            ax.set_ylim(low[1] - margin, high[1] + margin)
        ax.set_aspect("equal", adjustable="box")
    if run.status == "diverged":
        ax.text(0.03, 0.95, "diverged", transform=ax.transAxes, fontsize=6, va="top", color="red")


def _draw_curve(ax, members: list[RunData], name: str, label: str, linestyle: Any) -> None:
    steps = sorted({int(s) for run in members for s in run.metrics["step"]})
    if not steps:
        return
    means, errors = [], []
    for step in steps:
        values = []
        for run in members:
            hits = np.nonzero(np.asarray(run.metrics["step"]) == step)[0]
            if hits.size:
                values.append(float(run.metrics[name][hits[0]]))
        mean, error, _ = mean_and_standard_error(values)
        means.append(mean)
        errors.append(0.0 if math.isnan(error) else error)
    means, errors = np.asarray(means), np.asarray(errors)
    line, = ax.plot(steps, means, linestyle=linestyle, linewidth=1.2, label=label)
    ax.fill_between(steps, means - errors, means + errors, color=line.get_color(), alpha=0.2,
                    linewidth=0)
