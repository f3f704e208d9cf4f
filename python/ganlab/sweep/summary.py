"""Summary tables of a sweep: final and best metrics per variant, with mean, standard error and count.

The metrics are the runs' recorded ``metrics`` series; a run recorded
without them gets them from ``ganlab.metrics.compute_trajectory_metrics``.
"final" is the value at a run's last snapshot (for a diverged run, the last
snapshot before it diverged: diverged runs are results). "best" is the best
value over the run's snapshots, the largest for coverage metrics and the
smallest for distances. The standard error is the sample standard deviation
(ddof = 1) over the runs divided by the square root of their count; NaN
values are left out and the count says how many remained.
"""

from __future__ import annotations

import csv
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

# Metrics summarized, in table order, and whether larger values are better.
SUMMARY_METRICS = {
    "modes_covered": True,
    "high_quality": True,
    "reverse_kl": False,
    "w2": False,
    "mmd2": False,
    "energy": False,
    "kl_hist": False,
    "js_hist": False,
    "ks": False,
}
RESULT_STATUSES = ("completed", "diverged")


@dataclass
class RunData:
    """What the summary and the figure need from one run."""

    variant: str
    seed: int
    status: str
    metrics: dict[str, np.ndarray]  # "step" and one (T,) array per metric
    final_samples: np.ndarray | None
    real: np.ndarray | None


def run_metrics(trajectory) -> dict[str, np.ndarray]:
    """Return a trajectory's metric series, computing them when the run recorded none."""
    recorded = trajectory.metrics
    if recorded and len(recorded.get("step", ())) == len(trajectory.steps):
        return {name: np.asarray(values) for name, values in recorded.items()}
    from ganlab.metrics import compute_trajectory_metrics

    log.info("computing metrics of %s, which were not recorded", trajectory.path)
    return compute_trajectory_metrics(trajectory)


def collect_runs(out: Path, index: dict[str, Any]) -> list[RunData]:
    """Read the metrics and final samples of every finished run of a sweep."""
    from ganlab.store import open_trajectory

    collected = []
    for run in index["runs"]:
        if run["status"] not in RESULT_STATUSES:
            continue
        try:
            with open_trajectory(Path(out) / run["path"]) as trajectory:
                metrics = run_metrics(trajectory)
                samples = trajectory.samples
                final = None if samples is None or len(samples) == 0 else np.asarray(samples[-1])
                real = None if trajectory.real is None else np.asarray(trajectory.real)
        except Exception as error:  # an unreadable run is left out of the summary, not fatal
            log.warning("leaving run %s out of the summary: %s", run["path"], error)
            continue
        collected.append(RunData(run["variant"], run["seed"], run["status"], metrics, final, real))
    return collected


def mean_and_standard_error(values: list[float]) -> tuple[float, float, int]:
    """Return the mean, the standard error (ddof = 1) and the count of the finite values."""
    finite = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    count = len(finite)
    if count == 0:
        return math.nan, math.nan, 0
    mean = float(finite.mean())
    error = float(finite.std(ddof=1) / math.sqrt(count)) if count > 1 else math.nan
    return mean, error, count


def _final_and_best(values: np.ndarray, larger_is_better: bool) -> tuple[float, float]:
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return math.nan, math.nan
    finite = values[np.isfinite(values)]
    best = math.nan if finite.size == 0 else float(finite.max() if larger_is_better
                                                   else finite.min())
    return float(values[-1]), best


def summarize(runs: list[RunData]) -> list[dict[str, Any]]:
    """Return one row per (variant, metric, statistic) with mean, sem and count."""
    variants = list(dict.fromkeys(run.variant for run in runs))
    present = [name for name in SUMMARY_METRICS if any(name in run.metrics for run in runs)]
    rows = []
    for variant in variants:
        members = [run for run in runs if run.variant == variant]
        for name in present:
            finals, bests = [], []
            for run in members:
                if name in run.metrics:
                    final, best = _final_and_best(run.metrics[name], SUMMARY_METRICS[name])
                    finals.append(final)
                    bests.append(best)
            for statistic, values in (("final", finals), ("best", bests)):
                mean, error, count = mean_and_standard_error(values)
                rows.append({"variant": variant, "metric": name, "statistic": statistic,
                             "mean": mean, "sem": error, "count": count,
                             "runs": len(members),
                             "diverged": sum(run.status == "diverged" for run in members)})
    return rows


def _cell(row: dict[str, Any], digits: int = 3) -> str:
    if row["count"] == 0:
        return "–"
    text = f"{row['mean']:.{digits}g}"
    if math.isfinite(row["sem"]):
        text += f" ± {row['sem']:.2g}"
    return f"{text} ({row['count']})"


def _table(rows: list[dict[str, Any]], statistic: str) -> tuple[list[str], list[list[str]]]:
    selected = [row for row in rows if row["statistic"] == statistic]
    metrics = list(dict.fromkeys(row["metric"] for row in selected))
    variants = list(dict.fromkeys(row["variant"] for row in selected))
    header = ["variant", "runs", "diverged", *metrics]
    body = []
    for variant in variants:
        cells = {row["metric"]: row for row in selected if row["variant"] == variant}
        first = next(iter(cells.values()))
        body.append([variant, str(first["runs"]), str(first["diverged"]),
                     *(_cell(cells[m]) if m in cells else "–" for m in metrics)])
    return header, body


def write_summary(out: Path, rows: list[dict[str, Any]], title: str = "sweep") -> list[Path]:
    """Write ``summary.csv``, ``summary.md`` and ``summary.tex``; return their paths."""
    out = Path(out)
    csv_path = out / "summary.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["variant", "metric", "statistic", "mean",
                                                    "sem", "count", "runs", "diverged"])
        writer.writeheader()
        for row in rows:
            writer.writerow({key: (repr(value) if isinstance(value, float) else value)
                             for key, value in row.items()})

    lines = [f"# {title}", "",
             "Mean ± standard error over seeds (count of runs with a finite value).", ""]
    for statistic, heading in (("final", "Final snapshot"), ("best", "Best snapshot")):
        header, body = _table(rows, statistic)
        lines += [f"## {heading}", "", "| " + " | ".join(header) + " |",
                  "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        lines.append("")
    md_path = out / "summary.md"
    md_path.write_text("\n".join(lines), encoding="utf-8")

    header, body = _table(rows, "final")
    tex = [r"\begin{tabular}{l" + "r" * (len(header) - 1) + "}", r"\toprule",
           " & ".join(_tex_escape(h) for h in header) + r" \\", r"\midrule"]
    for row in body:
        tex.append(" & ".join(_tex_escape(cell).replace("±", r"$\pm$") for cell in row) + r" \\")
    tex += [r"\bottomrule", r"\end{tabular}", ""]
    tex_path = out / "summary.tex"
    tex_path.write_text("\n".join(tex), encoding="utf-8")
    return [csv_path, md_path, tex_path]


def _tex_escape(text: str) -> str:
    for char, replacement in (("\\", r"\textbackslash{}"), ("_", r"\_"), ("%", r"\%"),
                              ("&", r"\&"), ("#", r"\#"), ("–", "--")):
        text = text.replace(char, replacement)
    return text
