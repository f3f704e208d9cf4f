"""Local engine: tasks in a process pool, one worker per core and one torch thread each."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Callable

from ganlab.sweep.tasks import init_worker, not_started, outcome, run_task

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
        for index, task in enumerate(tasks):
            on_start(task)
            outcomes = run_task(task)
            on_done(task, outcomes)
            if any(o["status"] == "interrupted" for o in outcomes):
                # A signal stopped a run of this process: the sweep stops with it.
                for rest in tasks[index + 1:]:
                    on_done(rest, not_started(rest["runs"]))
                log.warning("sweep interrupted; run it again to continue")
                raise KeyboardInterrupt
        return

    # "spawn" starts clean interpreters: forking a process that already ran torch
    # threads can deadlock in the children.
    context = multiprocessing.get_context("spawn")
    workers = min(jobs, len(tasks))
    log.info("running %d tasks on %d worker processes", len(tasks), workers)
    stop = context.Event()
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=init_worker,
                             initargs=(stop,)) as pool:
        futures = {}
        for task in tasks:
            futures[pool.submit(run_task, task)] = task
            on_start(task)
        reported = set()
        try:
            with _signals_as_interrupt():
                for future in as_completed(futures):
                    reported.add(future)
                    on_done(futures[future], _outcomes(future, futures[future]))
        except KeyboardInterrupt:
            # Stop every worker: the running runs end after their current step with a
            # checkpoint, and the tasks already queued to a worker return without
            # training. SIGTERM also reaches workers when the signal came to this
            # process alone, and a worker that is already stopping ignores it. The
            # next sweep trains or resumes the runs left over.
            log.warning("sweep interrupted; stopping the running runs after their current "
                        "step (run the sweep again to continue)")
            stop.set()
            for process in multiprocessing.active_children():
                if process.pid is not None:
                    try:
                        os.kill(process.pid, signal.SIGTERM)
                    except ProcessLookupError:
                        pass
            pool.shutdown(wait=True, cancel_futures=True)
            for future, task in futures.items():
                if future in reported:
                    continue
                if future.cancelled():
                    on_done(task, not_started(task["runs"]))
                else:
                    on_done(task, _outcomes(future, task))
            raise


@contextlib.contextmanager
def _signals_as_interrupt():
    """Let SIGINT and SIGTERM stop the sweep the way Ctrl-C does (in the main thread only).

    SIGINT gets a handler too because a process started in the background by a
    non-interactive shell inherits SIGINT ignored, and `kill -INT` would then
    stop the workers but not the sweep.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _outcomes(future, task: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the outcomes of a finished task, or failures when its worker died."""
    try:
        return future.result()
    except Exception as error:  # a worker that died takes its task's runs with it
        reason = f"worker process failed: {type(error).__name__}: {error}"
        log.error("%s (runs: %s)", reason, ", ".join(r["path"] for r in task["runs"]))
        return [outcome(run, "failed", reason=reason) for run in task["runs"]]
