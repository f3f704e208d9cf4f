"""Local engine: tasks in a process pool, one worker per core and one torch thread each."""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Callable

from ganlab.sweep.tasks import outcome, run_task

log = logging.getLogger(__name__)

OnDone = Callable[[dict[str, Any], list[dict[str, Any]]], None]


def default_jobs() -> int:
    return os.cpu_count() or 1


def run_local(tasks: list[dict[str, Any]], jobs: int, on_start: Callable[[dict], None],
              on_done: OnDone) -> None:
    """Run ``tasks`` on ``jobs`` worker processes; report each finished task to ``on_done``.

    With ``jobs = 1`` the tasks run one after another in this process, which
    keeps them debuggable (breakpoints, monkeypatching) and spares the start-up
    of a worker.
    """
    if not tasks:
        return
    if jobs == 1:
        for task in tasks:
            on_start(task)
            on_done(task, run_task(task))
        return

    # "spawn" starts clean interpreters: forking a process that already ran torch
    # threads can deadlock in the children.
    context = multiprocessing.get_context("spawn")
    workers = min(jobs, len(tasks))
    log.info("running %d tasks on %d worker processes", len(tasks), workers)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {}
        for task in tasks:
            futures[pool.submit(run_task, task)] = task
            on_start(task)
        try:
            for future in as_completed(futures):
                task = futures[future]
                try:
                    outcomes = future.result()
                except Exception as error:  # a worker that died takes its task's runs with it
                    reason = f"worker process failed: {type(error).__name__}: {error}"
                    log.error("%s (runs: %s)", reason,
                              ", ".join(r["path"] for r in task["runs"]))
                    outcomes = [outcome(run, "failed", reason=reason) for run in task["runs"]]
                on_done(task, outcomes)
        except KeyboardInterrupt:
            # The workers got the same SIGINT and stop their runs with a checkpoint.
            # Tasks not started yet are dropped; the next sweep trains or resumes them.
            log.warning("sweep interrupted; run it again to continue")
            pool.shutdown(wait=True, cancel_futures=True)
            raise
