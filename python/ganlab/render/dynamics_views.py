"""Shared parts of the dynamics views (field, spectrum, params): run labels and animation.

Each view draws a static figure, or an animation when ``out`` ends in .mp4 or
.gif: the figure is built once and an ``update(step)`` callback moves it to
each frame's generator step, the steps of the first run's snapshots.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from matplotlib.figure import Figure
from tqdm import tqdm

from ganlab.errors import UsageError
from ganlab.render.encoders import open_writer
from ganlab.render.style import (BLACK, BLUE, BLUISH_GREEN, ORANGE, REDDISH_PURPLE, SKY_BLUE,
                                 VERMILLION, even_pixel_size, new_figure, save_figure)
from ganlab.trajectory import Trajectory

logger = logging.getLogger(__name__)

DYNAMICS_EXTENSIONS = (".png", ".pdf", ".svg", ".mp4", ".gif")
ANIMATION_SUFFIXES = (".mp4", ".gif")
RUN_COLORS = (VERMILLION, BLUE, BLUISH_GREEN, ORANGE, REDDISH_PURPLE, SKY_BLUE, BLACK)

# Short names of the options of stabilizing methods, for run labels.
_OPTION_SYMBOLS = {"gamma": "γ", "std": "σ", "weight": "λ"}


def as_list(trajs: Trajectory | Sequence[Trajectory]) -> list[Trajectory]:
    return list(trajs) if isinstance(trajs, (list, tuple)) else [trajs]


def _describe(config: dict) -> dict[str, str]:
    """Return the label parts of one run: what a reader compares runs by."""
    optimizer = config.get("optimizer", {})
    g_lr = optimizer.get("generator", {}).get("lr")
    d_lr = optimizer.get("discriminator", {}).get("lr")
    training = config.get("training", {})
    regularizer = config.get("regularizer", {}) or {}
    methods = []
    for name in regularizer.get("names", []):
        options = regularizer.get(name, {})
        shown = [f"{symbol}={options[key]:g}" for key, symbol in _OPTION_SYMBOLS.items()
                 if isinstance(options.get(key), (int, float))]
        methods.append(f"{name} {' '.join(shown)}".strip())
    return {
        "data": config.get("data", {}).get("name", ""),
        "networks": f"{config.get('generator', {}).get('kind')}/"
                    f"{config.get('discriminator', {}).get('kind')}",
        "loss": config.get("objective", {}).get("loss", ""),
        "regularizer": ", ".join(methods) or "no regularizer",
        "scheme": training.get("scheme", ""),
        "d_steps": f"d_steps={training.get('d_steps')}",
        "optimizer": optimizer.get("generator", {}).get("name", ""),
        "lr": f"h={g_lr:g}" if g_lr == d_lr else f"h_G={g_lr:g}, h_D={d_lr:g}",
    }


def run_labels(trajs: Sequence[Trajectory]) -> list[str]:
    """Label each run by what differs between the runs (scheme, step size, regularizer, ...).

    A single run is labelled by its update scheme, step size and regularizers.
    """
    parts = [_describe(traj.config) for traj in trajs]
    if len(trajs) == 1:
        only = parts[0]
        label = f"{only['scheme']}, {only['lr']}"
        if only["regularizer"] != "no regularizer":
            label = f"{label}, {only['regularizer']}"
        return [label]
    differing = [key for key in parts[0] if len({part[key] for part in parts}) > 1]
    if not differing:
        return [f"run {i + 1}" for i in range(len(trajs))]
    return [", ".join(part[key] for key in differing) for part in parts]


def game_key(traj: Trajectory) -> str:
    """Return the parts of a config that define the game's vector field, as JSON.

    Runs with equal keys share one field: they differ only in how they step
    through it (scheme, step sizes, optimizer, initial values, length).
    """
    config = traj.config
    key = {section: config.get(section) for section in ("data", "objective", "regularizer")}
    for section in ("generator", "discriminator"):
        key[section] = {k: v for k, v in config.get(section, {}).items() if k != "initial"}
    key["batch_size"] = config.get("training", {}).get("batch_size")
    return json.dumps(key, sort_keys=True)


def is_animation(out: str | Path | None) -> bool:
    return out is not None and Path(out).suffix.lower() in ANIMATION_SUFFIXES


def make_figure(size: tuple[float, float], dpi: float, animated: bool) -> Figure:
    if not dpi > 0:
        raise UsageError(f"dpi must be positive, got {dpi}")
    if animated:
        size = even_pixel_size(tuple(size), dpi)
    return new_figure(tuple(size), dpi)


def frame_steps(traj: Trajectory, every: int) -> np.ndarray:
    """Return the generator steps that become frames: every ``every``-th snapshot step."""
    if every < 1:
        raise UsageError(f"every must be a whole number of snapshots >= 1, got {every}")
    steps = np.asarray(traj.steps)
    if len(steps) == 0:
        raise UsageError(f"run {traj.path!r} has no snapshots to animate")
    return steps[::every]


def finish(figure: Figure, out: str | Path | None, dpi: float, steps: np.ndarray,
           update: Callable[[int | None], None], fps: float, progress: bool):
    """Write the figure (static) or its frames (animation); return the figure or the path."""
    if out is None:
        return figure
    if not is_animation(out):
        save_figure(figure, out, dpi)
        return figure

    if not fps > 0:
        raise UsageError(f"fps must be positive, got {fps}")
    update(int(steps[0]))
    figure.canvas.draw()
    # Freeze the layout so that frames do not shift.
    figure.set_layout_engine("none")
    show_progress = progress and sys.stderr.isatty()
    with open_writer(out, fps=fps) as writer:
        for step in tqdm(steps, desc="frames", unit="frame", disable=not show_progress):
            update(int(step))
            figure.canvas.draw()
            writer.write(np.asarray(figure.canvas.buffer_rgba()))
    logger.info("wrote %d frames to %s", len(steps), out)
    return Path(out)
