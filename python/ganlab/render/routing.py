"""Dispatch of the planar figure kinds by the dimension of a run's data.

The overview, snapshot and animation kinds draw 1D and 2D data. For a run
on more dimensions, ``draw`` sends a count run (``count1d``, ``count2d``) to
the counting view, draws a run with a stored 2D projection (``mixture_hd``)
through that projection, and rejects any other run with the kinds that work.
The replay page shows projected runs too.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

from ganlab.errors import UsageError

logger = logging.getLogger(__name__)

PLANAR_KINDS = ("overview", "snapshot", "animation")
# Kinds that draw parameter space or the first two coordinates, whatever the data's dimension.
ANY_DIMENSION_KINDS = ("field", "params", "spectrum", "replay")
# Options of the planar kinds that the counting view also accepts.
COUNT_OPTIONS = ("step", "every", "fps", "size", "dpi", "progress")


def draw(kind: str, function: Callable, target: Any, out: str | Path | None,
         options: dict[str, Any]) -> Any:
    """Call the kind's ``function``, adapted to a run whose data has more than 2 dimensions."""
    if kind == "replay":
        return _draw_replay(function, target, out, options)
    if kind not in PLANAR_KINDS or target.dim <= 2:
        return function(target, out, **options)

    from ganlab.counting.recording import is_count_run

    if is_count_run(target):
        return _draw_counts(kind, target, out, options)

    from ganlab.render.projection import project_trajectory, render_projected

    projected = project_trajectory(target)
    if projected is not None:
        return render_projected(kind, function, projected, out, options)

    raise UsageError(
        f"figure kind {kind!r} draws 1D and 2D data, but run {target.path!r} has "
        f"{target.dim}-dimensional data without a stored 2D projection; kinds that work: "
        f"{', '.join(ANY_DIMENSION_KINDS)}"
    )


def _draw_counts(kind: str, traj, out, options: dict[str, Any]) -> Any:
    from ganlab.render.counts import render_counts

    dropped = sorted(set(options) - set(COUNT_OPTIONS))
    if dropped:
        logger.info("the counting view ignores the %s options %s", kind, ", ".join(dropped))
    kept = {name: value for name, value in options.items() if name in COUNT_OPTIONS}
    if kind == "animation" and out is None:
        raise UsageError("an animation needs an output path ending in .mp4 or .gif")
    logger.info("run %s is a count run: drawing the counting view for kind %r", traj.path, kind)
    return render_counts(traj, out, **kept)


def _draw_replay(function: Callable, runs: list, out, options: dict[str, Any]) -> Any:
    from ganlab.render.projection import project_trajectory

    projected = [project_trajectory(traj) for traj in runs]
    if all(view is None for view in projected):
        return function(runs, out, **options)

    # The diagnosis needs the runs in all their dimensions, so it runs on the originals.
    if options.get("phases") is None and options.get("diagnose", True):
        from ganlab.render.replay import _resolve_phases

        options = {**options, "phases": _resolve_phases(runs, None, True)}
        if len(runs) == 1:
            options["phases"] = options["phases"][0]
    views = [view if view is not None else traj for traj, view in zip(runs, projected)]
    return function(views, out, **options)
