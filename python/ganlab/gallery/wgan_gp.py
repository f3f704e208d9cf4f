"""Value surfaces of WGAN critics against a fixed generator: weight clipping and gradient penalty.

Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville (2017), "Improved Training
of Wasserstein GANs", Figure 1(a): "Value surfaces of WGAN critics trained
to optimality on toy datasets using (top) weight clipping and (bottom)
gradient penalty. Critics trained with weight clipping fail to capture
higher moments of the data distribution. The 'generator' is held fixed at
the real data plus Gaussian noise."

The runs follow the authors' toy script (gan_toy.py in
github.com/igul222/improved_wgan_training) with FIXED_GENERATOR on: the
"generator" is real data plus Gaussian noise of standard deviation 1 (ganlab's
generator kind ``data_noise``), and the critic has 3 hidden ReLU layers of
512 units with He initialization, batch 256. Weight clipping: bound 0.01,
RMSprop with learning rate 5e-5 and decay 0.9 (TensorFlow 1's default).
Gradient penalty: λ = 0.1 (the script's value, which it says trains faster
on toy tasks than the paper's λ = 10), Adam with learning rate 1e-4 and
β = (0.5, 0.9). The datasets are ganlab's presets of the script's scales
(8gaussians_wgangp, 25gaussians_wgangp, swissroll_wgangp).

"Trained to optimality" is a fixed number of critic steps, ``PUBLISHED_STEPS``.
With a fixed generator each training step is one critic step
(``training.d_steps = 1``, no generator step). docs/gallery.md gives the
measured plateau of each run's critic loss (``loss_plateau``) and surface.
NOTE: at 6000 steps the clipped critics have converged, but the penalized
critics' surfaces still move by a few percent of their range per 600 steps.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ganlab.gallery.entry import GalleryEntry, RunSpec, recording, register, run_steps
from ganlab.gallery.panels import clean_axes, corner_note, is_narrow
from ganlab.render.style import (GENERATED_COLOR, REAL_COLOR, SURFACE_CMAP,
                                 generated_scatter_style, real_scatter_style)
from ganlab.trajectory import Trajectory

PUBLISHED_STEPS = 6000
QUICK_STEPS = 20
CONTOUR_LEVELS = 24
# Fixed-generator samples drawn per panel: with noise of std 1 more points hide the surface.
DRAWN_SAMPLES = 300
# Standard deviation of the fixed generator's noise, in data units: gan_toy.py's value.
NOISE_STD = 1.0
# Margin around the data's box for the recorded surface, as a fraction of its size: about
# the ±3 square of gan_toy.py's plots for the two Gaussian mixtures.
PADDING = 0.5

DATASETS = {"8gaussians_wgangp": "8 Gaussians", "25gaussians_wgangp": "25 Gaussians",
            "swissroll_wgangp": "Swiss roll"}

CRITIC = {
    "generator.kind": "data_noise", "generator.noise_std": NOISE_STD,
    "discriminator.hidden": 512, "discriminator.depth": 3, "discriminator.activation": "relu",
    "discriminator.init": "kaiming_normal",
    "objective.loss": "wasserstein",
    "training.batch_size": 256, "training.d_steps": 1,
    "record.padding": PADDING,
}
VARIANTS = {
    "clipping": ("weight clipping", {
        "regularizer.names": ["weight_clipping"], "regularizer.weight_clipping.clip": 0.01,
        "optimizer.name": "rmsprop", "optimizer.lr": 5e-5, "optimizer.alpha": 0.9,
    }),
    "gp": ("gradient penalty", {
        "regularizer.names": ["gp"], "regularizer.gp.weight": 0.1,
        "optimizer.name": "adam", "optimizer.lr": 1e-4, "optimizer.beta1": 0.5,
        "optimizer.beta2": 0.9,
    }),
}
QUICK = {"discriminator.hidden": 16, "discriminator.depth": 2, "training.batch_size": 64}


def runs(quick: bool, steps: int | None) -> list[RunSpec]:
    """Return the six runs row by row: weight clipping on each dataset, then gradient penalty."""
    total = run_steps(PUBLISHED_STEPS, QUICK_STEPS, quick, steps)
    # The surface is drawn at the last step only; a few more snapshots show the training.
    base = {**CRITIC, **recording(quick, total, metrics=(), snapshots=10)}
    if quick:
        base.update(QUICK)
    specs = []
    for variant, (label, overrides) in VARIANTS.items():
        for preset, dataset in DATASETS.items():
            name = f"{variant}_{preset.removesuffix('_wgangp')}"
            specs.append(RunSpec(name, f"{label}, {dataset}", preset, {**base, **overrides}))
    return specs


def loss_plateau(traj: Trajectory, fraction: float = 0.1) -> tuple[float, float]:
    """Return the mean critic loss over the last ``fraction`` of the run, and its change.

    The change is the mean over the last part minus the mean over the part of
    the same length before it. A critic trained to optimality has a change
    that is small against the loss itself.
    """
    scalars = traj.scalars
    steps = np.asarray(scalars["step"], dtype=float)
    loss = np.asarray(scalars["d_loss"], dtype=float)
    last = steps[-1]
    tail = loss[steps > last * (1 - fraction)]
    before = loss[(steps > last * (1 - 2 * fraction)) & (steps <= last * (1 - fraction))]
    return float(tail.mean()), float(tail.mean() - before.mean())


def draw(figure: Figure, trajs: Sequence[Trajectory], specs: Sequence[RunSpec]) -> None:
    columns = len(DATASETS)
    rows = len(trajs) // columns
    axes = figure.subplots(rows, columns, squeeze=False)
    narrow = is_narrow(figure)
    marker = 0.25 if narrow else 0.35
    for index, (traj, spec) in enumerate(zip(trajs, specs)):
        ax = axes[index // columns][index % columns]
        snapshot = traj.snapshot(-1)
        _draw_surface(ax, traj, np.asarray(snapshot.discriminator, dtype=float))

        samples = snapshot.samples[:DRAWN_SAMPLES]
        ax.scatter(samples[:, 0], samples[:, 1], **generated_scatter_style(6.0 * marker))
        real = traj.real
        ax.scatter(real[:, 0], real[:, 1], **real_scatter_style(6.0 * marker))
        ax.set_xlim(float(np.min(traj.grid_x)), float(np.max(traj.grid_x)))
        ax.set_ylim(float(np.min(traj.grid_y)), float(np.max(traj.grid_y)))
        ax.set_aspect("equal")
        clean_axes(ax)
        variant, dataset = spec.label.split(", ", 1)
        if index < columns:
            ax.set_title(dataset)
        if index % columns == 0:
            ax.set_ylabel(variant)
        corner_note(ax, f"{snapshot.step:,} critic steps", fontsize=5.5 if narrow else 6.5)
    _legend(figure, narrow)


def _draw_surface(ax, traj: Trajectory, values: np.ndarray) -> None:
    """Fill the critic's contours and draw its level sets, scaled per panel.

    A critic is defined up to an additive constant, and the clipped critic's
    values are orders of magnitude smaller than the penalized one's, so each
    panel spans its own range of values.
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0 or finite.min() == finite.max():
        return
    x, y = np.meshgrid(traj.grid_x, traj.grid_y)
    levels = np.linspace(finite.min(), finite.max(), CONTOUR_LEVELS)
    ax.contourf(x, y, values, levels=levels, cmap=SURFACE_CMAP, zorder=0)
    # Solid lines at every level: matplotlib would dash the negative ones, but the sign of a
    # critic value means nothing.
    ax.contour(x, y, values, levels=levels, colors="black", linewidths=0.3, alpha=0.6,
               linestyles="solid", zorder=1)


def _legend(figure: Figure, narrow: bool) -> None:
    handles = [
        Line2D([], [], linestyle="none", marker="o", markersize=3, color=REAL_COLOR,
               markeredgecolor="white", markeredgewidth=0.3),
        Line2D([], [], linestyle="none", marker="o", markersize=3, color=GENERATED_COLOR,
               markeredgecolor="#3A1500", markeredgewidth=0.3),
        Line2D([], [], color="black", linewidth=0.5),
    ]
    labels = ["real data", f"fixed generator: data + $\\mathcal{{N}}(0, {NOISE_STD:g}^2)$ noise",
              r"critic $f(x)$ level sets (light: high)"]
    figure.legend(handles, labels, loc="outside lower center", ncols=1 if narrow else 3,
                  handletextpad=0.3, columnspacing=1.2)


ENTRY = register(GalleryEntry(
    name="wgan_gp_critic",
    title="value surfaces of WGAN critics trained against a fixed generator, with weight "
          "clipping and with the gradient penalty",
    source="Gulrajani et al. 2017, Improved Training of Wasserstein GANs, Figure 1(a); "
           "gan_toy.py of the authors' code",
    finding="critics trained with weight clipping fail to capture higher moments of the data "
            "distribution; with the gradient penalty the critic's surface follows the data",
    runs=runs,
    draw=draw,
    aspect=0.74,
    one_column_aspect=0.9,
))
