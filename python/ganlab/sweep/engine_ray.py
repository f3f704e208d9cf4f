"""Ray engine: the same tasks as Ray tasks, on an existing cluster or a Ray started here.

Run directories are absolute paths written by the workers, so on a cluster
every node must see the sweep's output directory at the same path (a shared
file system). Ray is an optional dependency: ``pip install ganlab[ray]``.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Callable

from ganlab.errors import BackendUnavailableError
from ganlab.sweep.tasks import outcome, run_task

log = logging.getLogger(__name__)


def import_ray():
    try:
        import ray
    except ImportError:
        raise BackendUnavailableError("--engine ray needs Ray, which is not installed; install "
                                      "it with `pip install ganlab[ray]` or use --engine "
                                      "local") from None
    return ray


def run_ray(tasks: list[dict[str, Any]], jobs: int | None, address: str | None,
            on_start: Callable[[dict], None],
            on_done: Callable[[dict[str, Any], list[dict[str, Any]]], None]) -> None:
    """Run ``tasks`` as Ray tasks of one CPU each; report each finished task to ``on_done``.

    An already initialized Ray session is used as it is. Otherwise Ray connects
    to ``address`` or, without one, starts a local instance with ``jobs`` CPUs
    on 127.0.0.1 (no dashboard, no usage statistics), shut down at the end.
    """
    ray = import_ray()
    if not tasks:
        return
    started = False
    if not ray.is_initialized():
        if address:
            log.info("connecting to the Ray cluster at %s", address)
            ray.init(address=address, log_to_driver=False)
        else:
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
            ray.init(address="local", num_cpus=jobs, include_dashboard=False,
                     _node_ip_address="127.0.0.1", log_to_driver=False)
        started = True
    try:
        remote = ray.remote(num_cpus=1, max_retries=0)(run_task)
        pending = {}
        for task in tasks:
            pending[remote.remote(task)] = task
            on_start(task)
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            for reference in done:
                task = pending.pop(reference)
                try:
                    outcomes = ray.get(reference)
                except Exception as error:  # a lost worker or node fails only its own runs
                    reason = f"Ray task failed: {type(error).__name__}: {error}".splitlines()[0]
                    log.error("%s (runs: %s)", reason,
                              ", ".join(r["path"] for r in task["runs"]))
                    outcomes = [outcome(run, "failed", reason=reason) for run in task["runs"]]
                on_done(task, outcomes)
    finally:
        if started:
            ray.shutdown()
