"""Live viewing: render a run again whenever it commits new snapshots.

``follow_run`` polls a run's store every ``interval`` seconds. When the number
of committed snapshots has grown it renders the figure again, into a
temporary file next to the output that then replaces it (``os.replace``), so
an image viewer that reloads the output never reads a half-written file. It
stops when the run's status is no longer "running" (after one last render)
or on Ctrl-C.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any, Callable

from ganlab.errors import UsageError

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL = 2.0


def partial_path(out: Path) -> Path:
    """Return the temporary file a render goes to before it replaces ``out``.

    It keeps the extension, because the output format follows it.
    """
    return out.with_name(f".{out.stem}.partial{out.suffix}")


def render_atomically(target: Any, kind: str, out: str | Path, **render_options: Any) -> None:
    """Render into a temporary file in ``out``'s directory, then move it onto ``out``."""
    from ganlab.render import render

    out = Path(out)
    partial = partial_path(out)
    try:
        render(target, kind, partial, **render_options)
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def follow_run(
    run: str | Path,
    kind: str,
    out: str | Path,
    *,
    interval: float = DEFAULT_INTERVAL,
    backend: str = "matplotlib",
    style: str | Path | None = None,
    sleep: Callable[[float], None] = time.sleep,
    **options: Any,
) -> int:
    """Re-render ``kind`` of ``run`` into ``out`` as snapshots are committed; return the render count.

    A render happens when the committed snapshot count differs from the last
    rendered one, and once more after the status left "running" (completed,
    diverged, interrupted or failed, including a writer that died). Ctrl-C
    ends the loop and leaves the last complete render in ``out``.
    """
    from ganlab.store import open_trajectory

    if not interval > 0:
        raise UsageError(f"--interval {interval!r}: give a positive number of seconds, e.g. 2")

    out = Path(out)
    renders = 0
    rendered_count: int | None = None
    try:
        with open_trajectory(run) as traj:
            # Makie reads the store itself, so it gets the path.
            target = run if backend == "makie" else traj
            while True:
                # The status is read before the count, so a run that finished in
                # between gets one more render on the next pass.
                traj.refresh()
                status = traj.status
                count = len(traj)
                finished = status != "running"
                if finished or (count > 0 and count != rendered_count):
                    render_atomically(target, kind, out, backend=backend, style=style, **options)
                    renders += 1
                    rendered_count = count
                    logger.info("updated %s: %d snapshots up to step %s, run %s", out, count,
                                _last_step(traj), status)
                if finished:
                    return renders
                sleep(interval)
    except KeyboardInterrupt:
        logger.info("stopped following %s after %d renders; %s shows the last one", run,
                    renders, out)
        return renders


def _last_step(traj) -> int | str:
    steps = traj.steps
    return int(steps[-1]) if steps is not None and len(steps) else "none"
