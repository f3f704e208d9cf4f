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
import signal
import time
from pathlib import Path
from typing import Any, Mapping

from ganlab.errors import GanlabError

log = logging.getLogger(__name__)

STOPPED_REASON = "the sweep was stopped before this run started"

# Set in a worker process once the sweep is being stopped: by the engine's shared
# event, by a signal that reached the worker between runs, or by a run that a signal
# interrupted. Later tasks of that worker then return at once instead of training.
_stop_event = None
_stop_requested = False


def init_worker(stop_event=None) -> None:
    """Prepare a worker process: remember the engine's stop event, catch stop signals.

    The process pool hands a worker its next queued task as soon as one ends, so
    without this a Ctrl-C would stop the running runs and then start the queued
    ones. Between runs, SIGINT and SIGTERM only mark the worker as stopping. During
    a run, the trainer's own handlers stop it after the current step.
    """
    global _stop_event
    _stop_event = stop_event

    def mark_stopping(signum, frame):
        global _stop_requested
        _stop_requested = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, mark_stopping)


def not_started(runs) -> list[dict[str, Any]]:
    """Return "interrupted" outcomes for runs that a stopped sweep never started."""
    return [outcome(run, "interrupted", reason=STOPPED_REASON) for run in runs]


def stop_requested() -> bool:
    """Whether this worker should start no further run."""
    return _stop_requested or (_stop_event is not None and _stop_event.is_set())


def _note_interruption(outcomes: list[dict[str, Any]]) -> None:
    global _stop_requested
    if _stop_event is not None and any(o["status"] == "interrupted" for o in outcomes):
        _stop_requested = True


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
        if stop_requested():
            return not_started(runs)
        for run in runs:
            Path(run["path"]).parent.mkdir(parents=True, exist_ok=True)
        if task.get("batched") and len(runs) > 1:
            outcomes = _run_batched(runs)
            if outcomes is not None:
                _note_interruption(outcomes)
                return outcomes
        outcomes = []
        for run in runs:
            if stop_requested():
                outcomes.extend(not_started([run]))
                continue
            outcomes.append(_run_single(run))
            _note_interruption(outcomes[-1:])
        return outcomes
    finally:
        torch.set_num_threads(previous_threads)
