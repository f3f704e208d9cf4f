"""Eigenvalues of the game's Jacobian with and without consensus optimization.

Mescheder, Nowozin & Geiger (2017), "The Numerics of GANs":
simultaneous gradient steps fail where the Jacobian of the game's vector
field has eigenvalues with a large imaginary part and a small real part,
because the update map then has eigenvalues outside the unit circle.
Consensus optimization adds γ∇½‖v‖², which moves those eigenvalues to the
left (Re λ more negative), so the steps converge and the generator covers
the mixture. The settings are those of the authors' toy notebook
(github.com/LMescheder/TheNumericsOfGANs, notebooks/mog-eigval-dist.ipynb):
8 Gaussians on a circle of radius 1 with std 0.01, z in R^16, four hidden
ReLU layers of 16 units in both networks with Glorot-uniform weights, the
non-saturating generator loss, batch 512, RMSprop with learning rate 1e-4
(TensorFlow's defaults: decay 0.9, ε = 1e-10), γ = 10, simultaneous steps,
50000 steps, and the Jacobian averaged over 10 minibatches. Two differences
remain: the notebook's batches hold exactly 64 points per mode (ganlab draws
the mode of each point at random), and TensorFlow's RMSprop starts its
squared-gradient average at 1 where PyTorch's starts at 0.
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

PUBLISHED_STEPS = 50000
QUICK_STEPS = 30

NOTEBOOK = {
    "data.radius": 1.0,
    "data.std": 0.01,
    "generator.latent_dim": 16,
    "generator.hidden": 16,
    "generator.depth": 4,
    "generator.init": "xavier_uniform",
    "discriminator.hidden": 16,
    "discriminator.depth": 4,
    "discriminator.init": "xavier_uniform",
    "optimizer.name": "rmsprop",
    "optimizer.lr": 1e-4,
    "optimizer.alpha": 0.9,
    "optimizer.eps": 1e-10,
    "training.batch_size": 512,
    "training.scheme": "simultaneous",
    "record.spectrum_batches": 10,
}
QUICK_NETWORKS = {"generator.hidden": 4, "generator.depth": 1,
                  "discriminator.hidden": 4, "discriminator.depth": 1,
                  "training.batch_size": 64, "record.spectrum_batches": 1}
GAMMA = 10.0


def runs(quick: bool, steps: int | None) -> list[RunSpec]:
    total = run_steps(PUBLISHED_STEPS, QUICK_STEPS, quick, steps)
    base = {**NOTEBOOK, **(QUICK_NETWORKS if quick else {}),
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

    _share_limits(field_axes, [values for s in spectra for values in (s["field"][0], s["field"][-1])])
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
    """Give every row the same symmetric-log axes, covering all drawn eigenvalues.

    The spectra span several orders of magnitude (real parts down to about -10^3
    next to eigenvalues within 0.01 of the imaginary axis), so both axes are
    linear within ±1 and logarithmic beyond.
    """
    stacked = np.concatenate([v[np.isfinite(v)] for v in values])
    if stacked.size == 0:
        return
    low, high = min(float(stacked.real.min()), -1.0), max(float(stacked.real.max()), 1.0)
    reach_y = max(float(np.max(np.abs(stacked.imag))), 1.0)
    for ax in axes:
        ax.set_xscale("symlog", linthresh=1.0)
        ax.set_yscale("symlog", linthresh=1.0)
        ax.set_xlim(1.5 * low, 1.5 * high)
        ax.set_ylim(-1.5 * reach_y, 1.5 * reach_y)


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
