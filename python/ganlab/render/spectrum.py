"""The spectrum view: eigenvalues of the game's Jacobian and of the update map over training.

Left panel: the eigenvalues λ of the Jacobian of the game's vector field in
the complex plane, coloured by generator step. Gradient flow is locally
stable where every λ has Re λ < 0 (shaded half-plane); purely imaginary
eigenvalues mean rotation without convergence (Mescheder, Nowozin & Geiger
2017, "The Numerics of GANs", Sec. 3).

Right panel: the eigenvalues μ of the Jacobian of one generator step of the
discrete update map (see ``ganlab.dynamics.spectrum``). The steps converge
locally where every |μ| < 1 (shaded unit disc).

Each run gets one row. In an animation the eigenvalues recorded up to the
frame's step are drawn, those of the latest record with a dark edge.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

import numpy as np
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from ganlab.errors import UsageError
from ganlab.render.dynamics_views import (as_list, finish, frame_steps, is_animation,
                                          make_figure, run_labels)
from ganlab.trajectory import Trajectory

logger = logging.getLogger(__name__)

SPECTRUM_SERIES = "spectrum"
STABLE_COLOR = "#DDEFE6"
STEP_CMAP = "viridis"


def read_spectrum(traj: Trajectory) -> dict[str, np.ndarray]:
    """Return the run's ``spectrum`` series: step (R,), field (R, P) and update (R, P), complex."""
    series = traj.series(SPECTRUM_SERIES)
    if not series or len(series.get("step", ())) == 0:
        raise UsageError(
            f"run {traj.path!r} has no recorded spectrum; train it with record.spectrum_every > 0 "
            f"(models up to record.spectrum_limit parameters)"
        )
    return {
        "step": np.asarray(series["step"]),
        "field": np.asarray(series["field_real"]) + 1j * np.asarray(series["field_imag"]),
        "update": np.asarray(series["update_real"]) + 1j * np.asarray(series["update_imag"]),
    }


class _SpectrumRow:
    """The two panels of one run."""

    def __init__(self, figure, axes, spectrum, label: str, norm: Normalize):
        self.spectrum = spectrum
        self.scatters = []
        self.current = []
        for ax, key in zip(axes, ("field", "update")):
            values = spectrum[key]
            steps = np.repeat(spectrum["step"], values.shape[1])
            finite = np.isfinite(values.reshape(-1))
            flat = values.reshape(-1)[finite]
            scatter = ax.scatter(flat.real, flat.imag, c=steps[finite], cmap=STEP_CMAP, norm=norm,
                                 s=10, linewidths=0, zorder=3)
            current = ax.scatter([], [], s=28, facecolors="none", edgecolors="black",
                                 linewidths=0.9, zorder=4)
            self.scatters.append((scatter, flat, steps[finite]))
            self.current.append((current, values))
            _set_limits(ax, flat, unit_circle=key == "update")
        _draw_stability(axes[0], axes[1])
        axes[0].set_title(f"Jacobian of the field ({label})", fontsize=9)
        axes[1].set_title(f"update map, one generator step ({label})", fontsize=9)
        for ax in axes:
            ax.set_xlabel("real part")
            ax.set_ylabel("imaginary part")

    def update(self, step: int | None) -> None:
        steps = self.spectrum["step"]
        for (scatter, flat, flat_steps), (current, values) in zip(self.scatters, self.current):
            keep = np.ones(len(flat), bool) if step is None else flat_steps <= step
            scatter.set_offsets(np.column_stack([flat.real[keep], flat.imag[keep]]))
            scatter.set_array(flat_steps[keep])
            latest = np.flatnonzero(steps <= (steps[-1] if step is None else step))
            if len(latest) == 0:
                current.set_offsets(np.zeros((0, 2)))
                continue
            row = values[latest[-1]]
            row = row[np.isfinite(row)]
            current.set_offsets(np.column_stack([row.real, row.imag]))


def _set_limits(ax, values: np.ndarray, unit_circle: bool) -> None:
    if unit_circle:
        reach = max(1.15, float(np.max(np.abs(values), initial=0.0)) * 1.08)
        ax.set_xlim(-reach, reach)
        ax.set_ylim(-reach, reach)
        ax.set_aspect("equal")
        return
    reach = float(np.max(np.abs(values), initial=0.0))
    reach = reach * 1.15 if reach > 0 else 1.0
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-reach, reach)
    ax.set_aspect("equal")


def _draw_stability(field_ax, update_ax) -> None:
    low, _ = field_ax.get_xlim()
    bottom, top = field_ax.get_ylim()
    field_ax.axvspan(low, 0.0, color=STABLE_COLOR, zorder=0, label="stable: Re λ < 0")
    field_ax.axvline(0.0, color="#555555", linewidth=0.8, zorder=1)
    field_ax.axhline(0.0, color="#BBBBBB", linewidth=0.6, zorder=1)
    field_ax.set_ylim(bottom, top)
    field_ax.legend(loc="upper right", fontsize=7, framealpha=0.85)

    update_ax.add_patch(Circle((0, 0), 1.0, facecolor=STABLE_COLOR, edgecolor="#555555",
                               linewidth=0.8, zorder=0, label="stable: |μ| < 1"))
    update_ax.axhline(0.0, color="#BBBBBB", linewidth=0.6, zorder=1)
    update_ax.axvline(0.0, color="#BBBBBB", linewidth=0.6, zorder=1)
    update_ax.legend(loc="upper right", fontsize=7, framealpha=0.85)


def render_spectrum(
    trajs: Trajectory | Sequence[Trajectory],
    out: str | Path | None = None,
    *,
    size: tuple[float, float] | None = None,
    dpi: float = 150,
    fps: float = 10.0,
    every: int = 1,
    progress: bool = True,
) -> Figure | Path:
    """Draw the recorded eigenvalues of each run in the complex plane, coloured by step.

    With an .mp4 or .gif ``out`` the eigenvalues appear over the snapshots of
    the first run (``fps`` frames per second, every ``every``-th snapshot).
    Returns the figure, or the animation's path.
    """
    trajs = as_list(trajs)
    spectra = [read_spectrum(traj) for traj in trajs]
    labels = run_labels(trajs)
    animated = is_animation(out)
    dpi = min(dpi, 100) if animated else dpi
    rows = len(trajs)
    figure = make_figure(size or (9.6, 4.3 * rows + 0.5), dpi, animated)
    last = max(int(spectrum["step"][-1]) for spectrum in spectra)
    norm = Normalize(0, max(last, 1))
    panels = []
    for row, (spectrum, label) in enumerate(zip(spectra, labels)):
        axes = (figure.add_subplot(rows, 2, 2 * row + 1), figure.add_subplot(rows, 2, 2 * row + 2))
        panels.append(_SpectrumRow(figure, axes, spectrum, label, norm))
    mappable = panels[0].scatters[0][0]
    figure.colorbar(mappable, ax=figure.axes, shrink=0.8, label="generator step")
    title = figure.suptitle(" ")

    def update(step: int | None) -> None:
        for panel in panels:
            panel.update(step)
        title.set_text("spectrum of the game" if step is None else f"spectrum of the game, step {step}")

    update(None)
    steps = frame_steps(trajs[0], every) if animated else np.zeros(0)
    return finish(figure, out, dpi, steps, update, fps, progress)
