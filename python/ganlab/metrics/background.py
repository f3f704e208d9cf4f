"""Snapshot metrics computed on a background thread while training continues.

POT's network simplex, the solver of exact W2, releases the GIL while it runs
(measured with POT 0.9.7), so a second core can compute W2 while the training
thread takes the next generator steps. This helps only when a core is idle.
On Linux with autogroup scheduling (the default) the threads of a process
share that process's CPU share, so on a busy machine the worker's time is
taken from training. The results stay in submission order because a recorder
takes them from the front of its queue only, so rows reach the store in step
order, as if computed in place.

One worker thread per process serves every recorder (a batched group has one
recorder per run), so a process never runs more than one metric computation
at a time next to its training.
"""

from __future__ import annotations

import collections
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Iterator

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_executor_pid: int | None = None


def _shared_executor() -> ThreadPoolExecutor:
    """Return the process's metric worker, creating it on first use."""
    global _executor, _executor_pid
    with _lock:
        # A child made by fork inherits the executor object but not its thread, so it
        # makes its own.
        if _executor is None or _executor_pid != os.getpid():
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ganlab-metrics")
            _executor_pid = os.getpid()
        return _executor


class OrderedResults:
    """Results of functions run on the metric worker, handed back in submission order."""

    def __init__(self):
        self._pending: collections.deque[tuple[Any, Future]] = collections.deque()

    def __len__(self) -> int:
        return len(self._pending)

    def submit(self, key: Any, function: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run ``function(*args, **kwargs)`` on the worker; ``key`` comes back with its result."""
        self._pending.append((key, _shared_executor().submit(function, *args, **kwargs)))

    def ready(self) -> Iterator[tuple[Any, Any]]:
        """Yield (key, result) for the finished results at the front of the queue."""
        while self._pending and self._pending[0][1].done():
            yield self._pop()

    def wait_all(self) -> Iterator[tuple[Any, Any]]:
        """Yield (key, result) for every submitted result, waiting for each in turn.

        A function that raised re-raises here. It is removed from the queue
        first, so a second call does not raise the same error again.
        """
        while self._pending:
            yield self._pop()

    def _pop(self) -> tuple[Any, Any]:
        key, future = self._pending.popleft()
        return key, future.result()
