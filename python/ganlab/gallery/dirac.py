"""The Dirac GAN under each training method, with simultaneous and alternating steps.

Mescheder, Geiger & Nowozin (2018), "Which Training Methods for GANs do
actually Converge?", Fig. 1 and 3: on the Dirac GAN (data at c = 0,
G(z) = θ, D(x) = ψx) plain gradient steps and WGAN training circle or
spiral away from the equilibrium (θ, ψ) = (0, 0), while instance noise, zero-
centred gradient penalties (R1) and consensus optimization make it attract
the parameters. Each panel draws the exact continuous vector field of one
method as streamlines, computed by the training code
(``ganlab.dynamics.field``), and the recorded paths of both update schemes
on top.

All runs take plain gradient steps of size h = 0.2 from (θ, ψ) = (1, 1), as
``configs/dirac.toml`` does. The regularization weights are ganlab's choice
(γ = 1 for R1 and consensus, σ = 0.7 for instance noise, WGAN clipping at
|ψ| ≤ 1, WGAN-GP weight 1), since the paper's figure states no values; every
method runs one discriminator step per generator step.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ganlab.gallery.entry import GalleryEntry, RunSpec, register, run_steps
from ganlab.gallery.panels import is_narrow
from ganlab.render.style import BLUE, VERMILLION
from ganlab.trajectory import Trajectory

PUBLISHED_STEPS = 500
QUICK_STEPS = 30

# Half-width of the drawn box around the equilibrium, in parameter units.
BOX = 2.0
FIELD_COLOR = "#A8A8A8"

# Method label -> overrides of the Dirac GAN presets.
METHODS = {
    "GAN": {},
    "WGAN (clipping)": {"objective.loss": "wasserstein",
                        "regularizer.names": ["weight_clipping"],
                        "regularizer.weight_clipping.clip": 1.0},
    "WGAN-GP": {"objective.loss": "wasserstein", "regularizer.names": ["gp"],
                "regularizer.gp.weight": 1.0},
    "instance noise": {"regularizer.names": ["instance_noise"],
                       "regularizer.instance_noise.std": 0.7, "training.batch_size": 256},
    "R1": {"regularizer.names": ["r1"], "regularizer.r1.gamma": 1.0},
    "consensus": {"regularizer.names": ["consensus"], "regularizer.consensus.gamma": 1.0},
}
SCHEMES = {"simultaneous": "dirac", "alternating": "dirac_alternating"}
SCHEME_STYLES = {"simultaneous": {"color": VERMILLION, "linestyle": "-"},
                 "alternating": {"color": BLUE, "linestyle": (0, (3, 1.2))}}


def runs(quick: bool, steps: int | None) -> list[RunSpec]:
    total = run_steps(PUBLISHED_STEPS, QUICK_STEPS, quick, steps)
    record = {"training.steps": total, "record.every": max(1, total // 20),
              "record.params_every": 1, "record.spectrum_every": 0,
              "record.checkpoint_every": 0, "metrics.enabled": []}
    if quick:
        record.update({"record.grid": 8, "record.field_grid": 2})
    specs = []
    for method, overrides in METHODS.items():
        if quick and "training.batch_size" in overrides:
            overrides = {**overrides, "training.batch_size": 32}
        for scheme, preset in SCHEMES.items():
            name = f"{_slug(method)}_{scheme}"
            specs.append(RunSpec(name, f"{method}, {scheme}", preset, {**overrides, **record}))
    return specs


def draw(figure: Figure, trajs: Sequence[Trajectory], specs: Sequence[RunSpec]) -> None:
    from ganlab.dynamics.params import parameter_path

    columns = 2 if is_narrow(figure) else len(METHODS)
    rows = -(-len(METHODS) // columns)
    grid_points = 7 if trajs[0].config["training"]["steps"] < 100 else 17
    axes = figure.subplots(rows, columns, sharex=True, sharey=True, squeeze=False)
    for position, method in enumerate(METHODS):
        ax = axes[position // columns, position % columns]
        members = [i for i, spec in enumerate(specs) if spec.label.startswith(f"{method}, ")]
        _draw_field(ax, trajs[members[0]], grid_points)
        for index in members:
            scheme = specs[index].label.split(", ")[-1]
            values = parameter_path(trajs[index]).values
            ax.plot(values[:, 0], values[:, 1], linewidth=1.0, zorder=3, **SCHEME_STYLES[scheme])
        ax.plot(1.0, 1.0, marker="o", color="black", markersize=3, zorder=4)
        ax.plot(0.0, 0.0, marker="*", color="black", markersize=7, zorder=4,
                markeredgecolor="white", markeredgewidth=0.4)
        ax.set_title(method)
        ax.set_xlim(-BOX, BOX)
        ax.set_ylim(-BOX, BOX)
        ax.set_aspect("equal")
        ax.set_xticks([-2, 0, 2])
        ax.set_yticks([-2, 0, 2])
        if position // columns == rows - 1:
            ax.set_xlabel(r"generator $\theta$")
        if position % columns == 0:
            ax.set_ylabel(r"discriminator $\psi$")

    handles = [Line2D([], [], linewidth=1.0, **SCHEME_STYLES[scheme]) for scheme in SCHEMES]
    labels = [f"{scheme} steps" for scheme in SCHEMES]
    handles.append(Line2D([], [], linestyle="none", marker="*", color="black", markersize=7))
    labels.append(r"equilibrium $(\theta, \psi) = (0, 0)$")
    handles.append(Line2D([], [], linestyle="none", marker="o", color="black", markersize=3))
    labels.append("start")
    figure.legend(handles, labels, loc="outside lower center", ncols=2 if is_narrow(figure) else 4)


def _draw_field(ax, traj: Trajectory, grid_points: int) -> None:
    """Draw the method's exact field over the box as streamlines (identity plane: θ, ψ)."""
    from ganlab.dynamics.field import field_from_config, field_on_plane

    axis = np.linspace(-BOX, BOX, grid_points)
    field = field_from_config(traj.config)
    u, w = field_on_plane(field, np.zeros(2), np.eye(2), axis, axis)
    ax.streamplot(axis, axis, u, w, color=FIELD_COLOR, linewidth=0.5, density=0.7,
                  arrowsize=0.5, zorder=1)


def _slug(label: str) -> str:
    keep = [c if c.isalnum() else "_" for c in label.lower()]
    return "_".join(part for part in "".join(keep).split("_") if part)


ENTRY = register(GalleryEntry(
    name="dirac_methods",
    title="the Dirac GAN under each training method, simultaneous and alternating steps",
    source="Mescheder, Geiger & Nowozin 2018, Which Training Methods for GANs do actually "
           "Converge?, Fig. 1 and 3",
    finding="unregularized and WGAN training do not converge to (0, 0); instance noise, R1 and "
            "consensus optimization do",
    runs=runs,
    draw=draw,
    aspect=0.29,
    one_column_aspect=1.7,
))
