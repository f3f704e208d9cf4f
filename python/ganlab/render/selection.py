"""Which snapshots of a trajectory can be drawn, and which ones a figure shows.

A diverged run records snapshots whose arrays contain NaN or infinity. Figures
draw only the finite prefix, which is every snapshot before the first one with
a non-finite value, and name the step where the run diverged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from ganlab.errors import UsageError
from ganlab.trajectory import SNAPSHOT_FIELDS, Trajectory

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Drawable:
    """The snapshots a figure may draw.

    ``count`` snapshots (indices 0 to count - 1) are finite. ``diverged_step``
    is the generator step at which the run diverged, or ``None``.
    """

    count: int
    diverged_step: int | None

    @property
    def note(self) -> str:
        """Text for a figure title, empty when the run did not diverge."""
        if self.diverged_step is None:
            return ""
        return f"diverged at step {self.diverged_step}"


def drawable_snapshots(traj: Trajectory) -> Drawable:
    """Find the finite prefix of the snapshots and the step of divergence, if any.

    Raises ``UsageError`` when the trajectory has no snapshot or when even the
    first snapshot contains non-finite values, because then nothing can be drawn.
    """
    total = len(traj)
    source = _source_name(traj)
    if total == 0:
        raise UsageError(
            f"run {source} has no recorded snapshot yet; render it after the first "
            f"snapshot is written (record.every sets how often)"
        )

    finite = np.ones(total, dtype=bool)
    for name in SNAPSHOT_FIELDS:
        array = getattr(traj, name)
        if array is None or not np.issubdtype(array.dtype, np.number):
            continue
        finite &= np.isfinite(array.reshape(total, -1)).all(axis=1)

    bad = np.flatnonzero(~finite)
    count = int(bad[0]) if bad.size else total
    steps = traj.steps

    diverged_step = None
    if bad.size:
        diverged_step = int(steps[bad[0]])
    elif traj.status == "diverged":
        detail_step = traj.status_detail.get("step")
        diverged_step = int(detail_step) if detail_step is not None else int(steps[-1])

    if count == 0:
        raise UsageError(
            f"run {source} diverged at step {diverged_step} before its first finite snapshot; "
            f"there is nothing to draw (lower the learning rate or record earlier snapshots)"
        )
    if bad.size:
        logger.warning(
            "run %s diverged at step %d: drawing the %d finite snapshots up to step %d",
            source,
            diverged_step,
            count,
            int(steps[count - 1]),
        )
    return Drawable(count=count, diverged_step=diverged_step)


def evenly_spaced(count: int, panels: int) -> list[int]:
    """Pick up to ``panels`` snapshot indices spread evenly over ``range(count)``, ends included."""
    if panels < 1:
        raise UsageError(f"panels must be at least 1, got {panels}")
    if panels >= count:
        return list(range(count))
    return sorted({int(i) for i in np.round(np.linspace(0, count - 1, panels))})


def nearest_snapshot(traj: Trajectory, drawable: Drawable, step: int | None) -> int:
    """Return the index of the drawable snapshot nearest to generator step ``step`` (last if ``None``)."""
    last = drawable.count - 1
    if step is None:
        return last
    if step < 0:
        raise UsageError(f"step must be a generator step >= 0, got {step}")
    steps = traj.steps[: drawable.count]
    index = int(np.argmin(np.abs(steps - step)))
    if drawable.diverged_step is not None and step >= drawable.diverged_step:
        logger.warning(
            "step %d is at or after the divergence at step %d; drawing step %d instead",
            step,
            drawable.diverged_step,
            int(steps[index]),
        )
    elif int(steps[index]) != step:
        logger.info("step %d was not recorded; drawing the nearest recorded step %d", step, int(steps[index]))
    return index


def _source_name(traj: Trajectory) -> str:
    try:
        return repr(traj.path)
    except AttributeError:
        return "<memory>"
