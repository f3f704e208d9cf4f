"""Loss curves and other per-step scalar series over generator steps."""

from __future__ import annotations

import logging

import numpy as np

from ganlab.errors import UsageError
from ganlab.render.style import CURVE_COLORS, CURVE_STYLES
from ganlab.trajectory import Trajectory

logger = logging.getLogger(__name__)

# Series names written by ganlab.game for the two players' losses.
DEFAULT_SERIES = ("d_loss", "g_loss")
_SERIES_LABELS = {"d_loss": "discriminator loss", "g_loss": "generator loss"}


def select_series(traj: Trajectory, extra: list[str] | tuple[str, ...] | None = None) -> list[str]:
    """Return the scalar series to plot: the two losses, or every series named "*loss*", plus ``extra``.

    Raises ``UsageError`` naming the available series when an ``extra`` name is not recorded.
    """
    available = [name for name in traj.scalars if name != "step"]
    names = [name for name in DEFAULT_SERIES if name in available]
    if not names:
        names = [name for name in available if "loss" in name]

    for name in extra or ():
        if name not in available:
            raise UsageError(
                f"scalar series {name!r} is not recorded in this run; "
                f"recorded series: {', '.join(sorted(available)) or 'none'}"
            )
        if name not in names:
            names.append(name)
    return names


class CurvePanel:
    """Scalar series against generator steps, with optional marks and a movable cursor."""

    def __init__(
        self,
        ax,
        traj: Trajectory,
        names: list[str],
        *,
        last_step: int | None = None,
        legend: bool = True,
    ):
        self.ax = ax
        scalars = traj.scalars
        steps = scalars.get("step", np.zeros(0))
        keep = np.ones(len(steps), dtype=bool) if last_step is None else steps <= last_step

        self.lines = []
        for i, name in enumerate(names):
            values = np.asarray(scalars[name], dtype=float)[keep]
            # Infinite values would stretch the axis to nothing useful; show them as gaps.
            values = np.where(np.isfinite(values), values, np.nan)
            (line,) = ax.plot(
                steps[keep], values,
                color=CURVE_COLORS[i % len(CURVE_COLORS)],
                linestyle=CURVE_STYLES[i % len(CURVE_STYLES)],
                linewidth=1.0,
                label=_SERIES_LABELS.get(name, name),
            )
            self.lines.append(line)

        if not names:
            ax.text(0.5, 0.5, "no scalar series recorded", transform=ax.transAxes,
                    ha="center", va="center", color="0.4")
        elif not np.any(keep):
            logger.info("the run has no scalar rows to plot")
        ax.set_xlabel("generator step")
        ax.set_ylabel("loss" if all("loss" in name for name in names) else "value")
        if names and legend:
            ax.legend(loc="best", ncols=min(len(names), 4))
        self.cursor = None

    def mark_steps(self, steps) -> None:
        """Draw a thin vertical line at each of ``steps`` (the steps of the shown snapshots)."""
        for step in steps:
            self.ax.axvline(step, color="0.6", linewidth=0.6, linestyle=":", zorder=0)

    def mark_divergence(self, step: int | None) -> None:
        """Draw a vertical line at the step where the run diverged."""
        if step is not None:
            self.ax.axvline(step, color="#D55E00", linewidth=1.0, linestyle="-", zorder=0)

    def move_cursor(self, step: int) -> None:
        """Place the cursor line at ``step``, creating it on first use."""
        if self.cursor is None:
            self.cursor = self.ax.axvline(step, color="0.2", linewidth=0.8)
        else:
            self.cursor.set_xdata([step, step])
