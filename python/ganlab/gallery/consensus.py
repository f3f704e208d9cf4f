"""Eigenvalues of the game's Jacobian with and without consensus optimization.

Mescheder, Nowozin & Geiger (2017), "The Numerics of GANs":
simultaneous gradient steps fail where the Jacobian of the game's vector
field has eigenvalues with a large imaginary part and a small real part,
because the update map then has eigenvalues outside the unit circle.
Consensus optimization adds γ∇½‖v‖², which moves those eigenvalues to the
left (Re λ more negative), so the steps converge and the generator covers
the mixture. Their experiment scripts (github.com/LMescheder/
TheNumericsOfGANs, experiments/comparison/conopt.py) train with RMSprop,
learning rate 1e-4, γ = 10, simultaneous steps, 20000 iterations.

The Jacobian is only computed for small models (``record.spectrum_limit``),
so both networks here have two hidden layers of 16 units (691 parameters in
all, ganlab's choice) instead of the wider networks of the paper.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ganlab.gallery.entry import GalleryEntry, RunSpec, recording, register, run_steps
from ganlab.gallery.panels import (clean_axes, corner_note, data_legend, is_narrow, modes_note,
                                   shared_scale)
from ganlab.render.scene import Layers, build_scene, scene_limits
from ganlab.render.style import BLUE, VERMILLION
from ganlab.trajectory import Trajectory

PUBLISHED_STEPS = 20000
QUICK_STEPS = 30

SMALL_NETWORKS = {"generator.hidden": 16, "generator.depth": 2,
                  "discriminator.hidden": 16, "discriminator.depth": 2}
QUICK_NETWORKS = {"generator.hidden": 4, "generator.depth": 1,
                  "discriminator.hidden": 4, "discriminator.depth": 1,
                  "training.batch_size": 64}
SCRIPT_OPTIMIZER = {"optimizer.name": "rmsprop", "optimizer.lr": 1e-4,
                    "training.scheme": "simultaneous"}
GAMMA = 10.0


def runs(quick: bool, steps: int | None) -> list[RunSpec]:
    total = run_steps(PUBLISHED_STEPS, QUICK_STEPS, quick, steps)
    base = {**SCRIPT_OPTIMIZER, **(QUICK_NETWORKS if quick else SMALL_NETWORKS),
            **recording(quick, total),
            # The figure draws the first and the last record only.
            "record.spectrum_every": total}
    consensus = {**base, "regularizer.names": ["consensus"],
                 "regularizer.consensus.gamma": GAMMA}
    return [
        RunSpec("simultaneous", "simultaneous\ngradient steps", "ring8", base),
        RunSpec("consensus", f"consensus\n($\\gamma = {GAMMA:g}$)", "ring8", consensus),
    ]


def draw(figure: Figure, trajs: Sequence[Trajectory], specs: Sequence[RunSpec]) -> None:
    from ganlab.render.spectrum import read_spectrum

    spectra = [read_spectrum(traj) for traj in trajs]
    grid = figure.add_gridspec(len(trajs), 2, width_ratios=[1.0, 1.6])
    scale = shared_scale(trajs)
    marker_scale = 0.35 if is_narrow(figure) else 0.6
    field_axes = []
    for row, (traj, spec, spectrum) in enumerate(zip(trajs, specs, spectra)):
        ax = figure.add_subplot(grid[row, 0])
        layers = Layers(field=False, manifold=False, boundary=False, marker_scale=marker_scale)
        scene = build_scene(ax, traj, scale, layers, scene_limits(traj, len(traj)))
        snapshot = traj.snapshot(-1)
        scene.update(snapshot)
        clean_axes(ax)
        ax.set_ylabel(spec.label)
        corner_note(ax, modes_note(traj, snapshot.step, short=is_narrow(figure)))
        if row == 0:
            ax.set_title(f"step {snapshot.step:,}")

        field_ax = figure.add_subplot(grid[row, 1])
        _draw_eigenvalues(field_ax, spectrum["field"])
        field_ax.axvline(0.0, color="black", linewidth=0.5, zorder=1)
        field_ax.axhline(0.0, color="black", linewidth=0.3, zorder=1)
        corner_note(field_ax, _real_part_note(spectrum["field"][-1]), loc="upper left",
                    fontsize=5.5 if is_narrow(figure) else 6.5)
        if row == 0:
            field_ax.set_title(r"eigenvalues $\lambda$ of $v'$" if is_narrow(figure)
                               else r"eigenvalues $\lambda$ of the Jacobian $v'$")
        field_axes.append(field_ax)

    _share_limits(field_axes, [s["field"][-1] for s in spectra])
    field_axes[-1].set_xlabel(r"Re $\lambda$")
    for ax in field_axes:
        ax.set_ylabel(r"Im $\lambda$")

    extra = [
        (Line2D([], [], linestyle="none", marker="o", markersize=3.5, markerfacecolor="none",
                markeredgecolor=BLUE), r"$\lambda$ at step 0"),
        (Line2D([], [], linestyle="none", marker="o", markersize=3.5, color=VERMILLION),
         r"$\lambda$ at the last step"),
    ]
    data_legend(figure, extra, ncols=2 if is_narrow(figure) else 4)


def _real_part_note(values: np.ndarray) -> str:
    """Describe eigenvalues by their largest real part and their largest |imaginary part|."""
    values = values[np.isfinite(values)]
    if values.size == 0:
        return ""
    largest_real = values.real.max()
    largest_imaginary = np.abs(values.imag).max()
    return (f"max Re $\\lambda$ = {largest_real:.2g}\n"
            f"max |Im $\\lambda$| = {largest_imaginary:.2g}")


def _draw_eigenvalues(ax, values: np.ndarray) -> None:
    """Draw the first (open blue circles) and the last record (filled vermillion dots)."""
    first, last = values[0], values[-1]
    ax.scatter(first.real, first.imag, s=9, facecolors="none", edgecolors=BLUE, linewidths=0.5,
               zorder=2)
    ax.scatter(last.real, last.imag, s=6, color=VERMILLION, linewidths=0, zorder=3)


def _share_limits(axes, values: Sequence[np.ndarray]) -> None:
    """Give every row the same limits, covering the last eigenvalues of all rows."""
    stacked = np.concatenate([v[np.isfinite(v)] for v in values])
    if stacked.size == 0:
        return
    low, high = min(float(stacked.real.min()), 0.0), max(float(stacked.real.max()), 0.0)
    margin = 0.08 * (high - low) or 1.0
    reach_y = 1.15 * float(np.max(np.abs(stacked.imag))) or 1.0
    for ax in axes:
        ax.set_xlim(low - margin, high + margin)
        ax.set_ylim(-reach_y, reach_y)


ENTRY = register(GalleryEntry(
    name="consensus_spectrum",
    title="eigenvalues of the game's Jacobian with and without consensus optimization",
    source="Mescheder, Nowozin & Geiger 2017, The Numerics of GANs",
    finding="simultaneous steps leave eigenvalues with large imaginary and small real parts; "
            "consensus optimization moves them to the left and training converges",
    runs=runs,
    draw=draw,
    aspect=0.62,
    one_column_aspect=0.9,
))
