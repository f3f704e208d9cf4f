"""Phases labelled by ``ganlab diagnose``, shaded on the step axis of a figure."""

from __future__ import annotations

import logging

from ganlab.errors import GanlabError
from ganlab.render.style import (
    BLUE,
    BLUISH_GREEN,
    ORANGE,
    REDDISH_PURPLE,
    SKY_BLUE,
    VERMILLION,
    YELLOW,
)
from ganlab.trajectory import Trajectory

logger = logging.getLogger(__name__)

# One colour per diagnosis label; failures in warm colours, convergence in green.
PHASE_COLORS = {
    "divergence": VERMILLION,
    "vanishing gradients": REDDISH_PURPLE,
    "mode collapse": ORANGE,
    "mode hopping": YELLOW,
    "oscillation": SKY_BLUE,
    "convergence": BLUISH_GREEN,
    "non-convergence": "#999999",
}

SPAN_ALPHA = 0.18
LABEL_ROW_HEIGHT = 0.11  # axes fraction taken by one row of phase labels


def diagnosed_phases(traj: Trajectory) -> list[tuple[str, int, int]]:
    """Return the diagnosis phases of ``traj``, or [] when the run cannot be diagnosed.

    A run without real points or samples, or with no snapshot yet, has no
    diagnosis. Runs recorded without metrics get them computed first, which
    takes longer than drawing (POT's W2 at every snapshot).
    """
    from ganlab.diagnosis import diagnose, phases_for_plot

    try:
        diagnosis = diagnose(traj)
    except GanlabError as error:
        logger.info("not marking phases: %s", error)
        return []
    return phases_for_plot(diagnosis)


def _label_rows(phases: list[tuple[str, int, int]]) -> list[int]:
    # Greedy interval colouring: each phase takes the lowest row free at its start.
    row_ends: list[int] = []
    rows = []
    for _, start, end in phases:
        for row, row_end in enumerate(row_ends):
            if start > row_end:
                row_ends[row] = end
                rows.append(row)
                break
        else:
            row_ends.append(end)
            rows.append(len(row_ends) - 1)
    return rows


def shade_phases(ax, phases: list[tuple[str, int, int]]) -> list:
    """Shade each (label, start_step, end_step) on ``ax`` and write its label inside the span.

    Overlapping phases get their labels in separate rows from the top of the
    axes down. A phase of a single step is drawn as a line. Returns the
    artists, spans and labels.
    """
    artists = []
    ordered = sorted(phases, key=lambda phase: (phase[1], phase[2]))
    for (label, start, end), row in zip(ordered, _label_rows(ordered)):
        color = PHASE_COLORS.get(label, "#999999")
        if end > start:
            artists.append(ax.axvspan(start, end, color=color, alpha=SPAN_ALPHA, linewidth=0, zorder=0))
        else:
            artists.append(ax.axvline(start, color=color, linewidth=1.5, zorder=0))
        top = 0.97 - row * LABEL_ROW_HEIGHT
        artists.append(ax.text(
            start, top, f" {label}", transform=ax.get_xaxis_transform(), ha="left", va="top",
            fontsize="x-small", color="0.15", clip_on=True,
            bbox={"boxstyle": "square,pad=0.15", "facecolor": color, "alpha": 0.55, "linewidth": 0},
        ))
    return artists
