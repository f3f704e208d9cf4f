"""``run_sweep``: plan, train with an engine, index, summarize and plot a sweep.

The output directory ``DIR`` receives:

* ``runs/<variant>/seed-<k>/``: one normal run each (``config.toml`` and store);
* ``sweep.json``: the variants and their overrides, the seeds, and per run its
  path, status and failure reason, rewritten after every finished task;
* ``summary.csv``, ``summary.md``, ``summary.tex``: final and best metrics per
  variant (``ganlab.sweep.summary``);
* ``comparison.png`` and ``comparison.pdf`` (``ganlab.sweep.figure``).
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ganlab.errors import UsageError
from ganlab.sweep.plan import make_tasks, plan_runs
from ganlab.sweep.spec import SweepSpec, load_sweep

log = logging.getLogger(__name__)

INDEX_FILE = "sweep.json"
ENGINES = ("local", "ray")
BATCHED_CHOICES = ("auto", "on", "off")


@dataclass
class SweepResult:
    """Output directory, index and written files of a finished sweep."""

    out: Path
    index: dict[str, Any]
    outputs: list[Path]

    def runs(self, status: str | None = None) -> list[dict[str, Any]]:
        return [run for run in self.index["runs"] if status is None or run["status"] == status]


def write_index(out: Path, index: dict[str, Any]) -> Path:
    """Write ``sweep.json`` atomically (a reader never sees half a file)."""
    path = out / INDEX_FILE
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(index, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return path


def read_index(out: str | Path) -> dict[str, Any]:
    return json.loads((Path(out) / INDEX_FILE).read_text(encoding="utf-8"))


def _new_index(spec: SweepSpec, out: Path, engine: str, planned) -> dict[str, Any]:
    return {
        "name": spec.name,
        "description": spec.description,
        "source": str(spec.source.resolve()),
        "updated": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "engine": engine,
        "seeds": spec.seeds,
        "variants": [{"name": v.name, "base": v.base, "overrides": v.overrides,
                      "description": v.description} for v in spec.variants],
        "runs": [{"variant": p.spec.variant, "seed": p.spec.seed,
                  "path": str(p.path.relative_to(out.resolve())),
                  "action": p.action,
                  "status": p.status if p.action == "skip" else "pending",
                  "reason": "", "seconds": None, "batched": False} for p in planned],
    }


def run_sweep(source: str | Path | SweepSpec, out: str | Path, *, engine: str = "local",
              jobs: int | None = None, batched: str = "auto", ray_address: str | None = None,
              overwrite: bool = False, progress: bool | None = None,
              summarize: bool = True) -> SweepResult:
    """Train every run of a sweep file into ``out``; return the outputs and the index.

    Runs already complete are skipped and interrupted ones resumed. A failed
    run is recorded in the index with its reason and does not stop the others.
    """
    if engine not in ENGINES:
        raise UsageError(f"invalid --engine {engine!r}; use one of {', '.join(ENGINES)}")
    if batched not in BATCHED_CHOICES:
        raise UsageError(f"invalid --batched {batched!r}; use one of "
                         f"{', '.join(BATCHED_CHOICES)}")
    if jobs is not None and jobs < 1:
        raise UsageError(f"invalid --jobs {jobs}; give at least 1 worker")
    if engine == "ray":
        from ganlab.sweep.engine_ray import import_ray

        import_ray()  # fail before any run directory is touched
    spec = source if isinstance(source, SweepSpec) else load_sweep(source)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)

    from ganlab.sweep.engine_local import default_jobs

    jobs = jobs or default_jobs()
    planned = plan_runs(spec, out, overwrite=overwrite)
    index = _new_index(spec, out, engine, planned)
    by_path = {str((out / run["path"]).resolve()): run for run in index["runs"]}
    write_index(out, index)
    tasks = make_tasks(planned, batched=batched, jobs=jobs)
    skipped = sum(p.action == "skip" for p in planned)
    resumed = sum(p.action == "resume" for p in planned)
    log.info("sweep %s: %d runs, %d already finished, %d to resume, %d to train; engine %s",
             spec.name, len(planned), skipped, resumed, len(planned) - skipped - resumed, engine)

    total = sum(len(task["runs"]) for task in tasks)
    enabled = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=total, desc=f"sweep {spec.name}", unit="run", disable=not enabled,
               file=sys.stderr, dynamic_ncols=True, leave=False)
    counts = {"running": 0, "failed": 0}

    def on_start(task: dict) -> None:
        counts["running"] += len(task["runs"])
        bar.set_postfix(counts, refresh=True)

    def on_done(task: dict, outcomes: list[dict]) -> None:
        counts["running"] -= len(task["runs"])
        for result in outcomes:
            entry = by_path[result["path"]]
            entry.update({key: result[key] for key in ("status", "reason", "seconds", "batched")})
            if result["status"] == "failed":
                counts["failed"] += 1
        index["updated"] = datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds")
        write_index(out, index)
        bar.update(len(outcomes))
        bar.set_postfix(counts, refresh=True)

    try:
        if engine == "ray":
            from ganlab.sweep.engine_ray import run_ray

            run_ray(tasks, jobs, ray_address, on_start, on_done)
        else:
            from ganlab.sweep.engine_local import run_local

            run_local(tasks, jobs, on_start, on_done)
    finally:
        bar.close()
        write_index(out, index)

    failed = [run for run in index["runs"] if run["status"] == "failed"]
    for run in failed:
        log.warning("run %s failed: %s", run["path"], run["reason"])
    outputs: list[Path] = [out / INDEX_FILE]
    if summarize:
        outputs += write_reports(out, index)
    return SweepResult(out, index, outputs)


def write_reports(out: Path, index: dict[str, Any]) -> list[Path]:
    """Write the summary tables and the comparison figure of a finished sweep."""
    from ganlab.sweep.figure import comparison_figure
    from ganlab.sweep.summary import collect_runs, summarize, write_summary

    collected = collect_runs(out, index)
    if not collected:
        log.warning("no run of the sweep has a readable trajectory; no summary written")
        return []
    rows = summarize(collected)
    paths = write_summary(out, rows, title=index.get("name", "sweep"))
    paths += comparison_figure(out, collected, index)
    return paths
