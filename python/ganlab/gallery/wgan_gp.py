"""WGAN-GP critic contours with the generated samples on three toy datasets.

Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville (2017), "Improved Training
of Wasserstein GANs", its toy-dataset figures and the authors' toy script (github.com/
igul222/improved_wgan_training, gan_toy.py). With the gradient penalty the
critic's value surface is smooth, rises towards the data and falls towards
the generated samples. The generator learns the 8 Gaussians, the 25
Gaussians and the Swiss roll. The script's settings: 3 hidden ReLU layers of
512 units in both networks, penalty weight λ = 0.1 (the script notes that a
smaller λ than the paper's 10 trains faster on toy tasks), 5 critic steps per
generator step, batch 256, Adam with learning rate 1e-4 and β = (0.5, 0.9),
100000 generator steps. The datasets are ganlab's presets of the script's
scales (8gaussians_wgangp, 25gaussians_wgangp, swissroll_wgangp).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ganlab.gallery.entry import GalleryEntry, RunSpec, recording, register, run_steps
from ganlab.gallery.panels import clean_axes, corner_note, data_legend, is_narrow
from ganlab.render.style import (SURFACE_CMAP, generated_scatter_style, real_scatter_style)
from ganlab.trajectory import Trajectory

PUBLISHED_STEPS = 100000
QUICK_STEPS = 20
CONTOUR_LEVELS = 12

DATASETS = {"8gaussians_wgangp": "8 Gaussians", "25gaussians_wgangp": "25 Gaussians",
            "swissroll_wgangp": "Swiss roll"}

SCRIPT = {
    "generator.hidden": 512, "generator.depth": 3, "generator.activation": "relu",
    "generator.init": "kaiming_normal",
    "discriminator.hidden": 512, "discriminator.depth": 3, "discriminator.activation": "relu",
    "discriminator.init": "kaiming_normal",
    "objective.loss": "wasserstein",
    "regularizer.names": ["gp"], "regularizer.gp.weight": 0.1,
    "optimizer.name": "adam", "optimizer.lr": 1e-4, "optimizer.beta1": 0.5,
    "optimizer.beta2": 0.9,
    "training.batch_size": 256, "training.d_steps": 5,
}
QUICK = {"generator.hidden": 16, "generator.depth": 2, "discriminator.hidden": 16,
         "discriminator.depth": 2, "training.batch_size": 64, "training.d_steps": 2}


def runs(quick: bool, steps: int | None) -> list[RunSpec]:
    total = run_steps(PUBLISHED_STEPS, QUICK_STEPS, quick, steps)
    # The critic surface is drawn at the last step only, so few snapshots are recorded.
    overrides = {**SCRIPT, **recording(quick, total, snapshots=10)}
    if quick:
        overrides.update(QUICK)
    return [RunSpec(preset.removesuffix("_wgangp"), label, preset, overrides)
            for preset, label in DATASETS.items()]


def draw(figure: Figure, trajs: Sequence[Trajectory], specs: Sequence[RunSpec]) -> None:
    axes = figure.subplots(1, len(trajs), squeeze=False)[0]
    marker = 0.25 if is_narrow(figure) else 0.35
    for ax, traj, spec in zip(axes, trajs, specs):
        snapshot = traj.snapshot(-1)
        values = np.asarray(snapshot.discriminator, dtype=float)
        x, y = np.meshgrid(traj.grid_x, traj.grid_y)
        finite = values[np.isfinite(values)]
        if finite.size:
            levels = np.linspace(finite.min(), finite.max(), CONTOUR_LEVELS)
            ax.contourf(x, y, values, levels=levels, cmap=SURFACE_CMAP, zorder=0)
            ax.contour(x, y, values, levels=levels, colors="black", linewidths=0.3,
                       alpha=0.6, zorder=1)
        real = traj.real
        ax.scatter(real[:, 0], real[:, 1], **real_scatter_style(7.0 * marker))
        samples = snapshot.samples
        ax.scatter(samples[:, 0], samples[:, 1], **generated_scatter_style(10.0 * marker))
        ax.set_xlim(float(np.min(traj.grid_x)), float(np.max(traj.grid_x)))
        ax.set_ylim(float(np.min(traj.grid_y)), float(np.max(traj.grid_y)))
        ax.set_aspect("equal")
        clean_axes(ax)
        ax.set_title(spec.label)
        corner_note(ax, f"step {snapshot.step:,}", fontsize=5.5 if is_narrow(figure) else 6.5)
    contour = Line2D([], [], color="black", linewidth=0.5)
    data_legend(figure, [(contour, r"critic $f(x)$ level sets (light: high)")],
                ncols=1 if is_narrow(figure) else 3)


ENTRY = register(GalleryEntry(
    name="wgan_gp_critic",
    title="WGAN-GP critic contours and samples on 8 Gaussians, 25 Gaussians and the Swiss roll",
    source="Gulrajani et al. 2017, Improved Training of Wasserstein GANs (toy datasets); "
           "gan_toy.py of the authors' code",
    finding="the penalized critic is smooth and the generator fits all three datasets",
    runs=runs,
    draw=draw,
    aspect=0.44,
    one_column_aspect=0.62,
))
