"""The unit of work that engines send to workers: one run, or one batched group of runs.

A task is a plain dict, so it pickles for process pools and Ray alike::

    {"runs": [{"path": "/abs/DIR/runs/gan/seed-0", "config": {...}, "action": "train"}, ...],
     "batched": False, "threads": 1}

``action`` is "train" (from scratch, replacing a failed or partial run) or
"resume" (from the run's checkpoint). ``run_task`` trains every run of the
task and returns one outcome dict per run; it never raises for a run's
failure, so one failed run leaves the others of the sweep running.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Mapping

from ganlab.errors import GanlabError

log = logging.getLogger(__name__)


def describe_error(error: BaseException) -> str:
    """Return a one-line reason for a failed run."""
    if isinstance(error, GanlabError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def result_reason(result) -> str:
    """Return why a run ended other than completed (empty for a completed run)."""
    detail = result.detail
    if result.status == "diverged":
        return f"diverged at step {detail.get('step')}: {detail.get('term')} is not finite"
    if result.status == "interrupted":
        return f"stopped by {detail.get('reason')} after step {detail.get('step')}"
    return ""


def outcome(run: Mapping[str, Any], status: str, *, reason: str = "", seconds: float = 0.0,
            steps_done: int = 0, batched: bool = False) -> dict[str, Any]:
    return {"path": run["path"], "status": status, "reason": reason,
            "seconds": round(seconds, 3), "steps_done": steps_done, "batched": batched}


def _run_single(run: Mapping[str, Any]) -> dict[str, Any]:
    from ganlab.training import Trainer, resume

    start = time.perf_counter()
    try:
        if run["action"] == "resume":
            result = resume(run["path"], run["config"])
        else:
            result = Trainer(run["config"], run["path"], overwrite=True).run()
    except Exception as error:  # recorded in the sweep index; the other runs continue
        log.error("run %s failed: %s", run["path"], describe_error(error))
        return outcome(run, "failed", reason=describe_error(error),
                       seconds=time.perf_counter() - start)
    return outcome(run, result.status, reason=result_reason(result), seconds=result.seconds,
                   steps_done=result.steps_done)


def _run_batched(runs: list[Mapping[str, Any]]) -> list[dict[str, Any]] | None:
    """Train ``runs`` as one batched group; return None when the group must run separately."""
    from ganlab.sweep.batched import BatchedGroup

    try:
        group = BatchedGroup([run["config"] for run in runs], [run["path"] for run in runs],
                             overwrite=True)
    except Exception as error:  # the separate runs report the error each
        log.info("training %d runs separately: the batched group could not be built (%s)",
                 len(runs), describe_error(error))
        return None
    problem = group.exactness_problem()
    if problem is not None:
        log.info("training %d runs separately because %s on this machine", len(runs), problem)
        group.abandon()
        return None

    start = time.perf_counter()
    try:
        results = group.run()
    except Exception as error:  # every run of the group stopped with it
        reason = describe_error(error)
        log.error("batched group of %d runs failed: %s", len(runs), reason)
        return [outcome(run, "failed", reason=reason, seconds=time.perf_counter() - start,
                        batched=True) for run in runs]
    outcomes = []
    for run, result in zip(runs, results):
        outcomes.append(outcome(run, result.status, reason=result_reason(result),
                                seconds=result.seconds, steps_done=result.steps_done,
                                batched=True))
    return outcomes


def run_task(task: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Train the runs of ``task``; return one outcome per run, in order."""
    import torch

    threads = task.get("threads")
    previous_threads = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        runs = list(task["runs"])
        for run in runs:
            Path(run["path"]).parent.mkdir(parents=True, exist_ok=True)
        if task.get("batched") and len(runs) > 1:
            outcomes = _run_batched(runs)
            if outcomes is not None:
                return outcomes
        return [_run_single(run) for run in runs]
    finally:
        torch.set_num_threads(previous_threads)
