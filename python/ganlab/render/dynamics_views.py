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

# Config keys that never tell two runs apart in a label.
_IGNORED_KEYS = ("record.", "plugins", "training.device", "training.threads", "metrics.")


def as_list(trajs: Trajectory | Sequence[Trajectory]) -> list[Trajectory]:
    return list(trajs) if isinstance(trajs, (list, tuple)) else [trajs]


def _flatten(table: dict, prefix: str = "") -> dict[str, object]:
    flat = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def run_labels(trajs: Sequence[Trajectory]) -> list[str]:
    """Label each run by the config values that differ between the runs.

    A single run is labelled by its update scheme and step sizes.
    """
    configs = [_flatten(traj.config) for traj in trajs]
    if len(trajs) > 1:
        keys = sorted({key for config in configs for key in config
                       if not key.startswith(_IGNORED_KEYS)})
        differing = [key for key in keys
                     if len({json.dumps(config.get(key), sort_keys=True) for config in configs}) > 1]
        if differing:
            return [", ".join(f"{key.split('.')[-1]}={config.get(key)}" for key in differing[:3])
                    for config in configs]
        return [f"run {i + 1}" for i in range(len(trajs))]
    config = configs[0]
    g_lr = config.get("optimizer.generator.lr")
    d_lr = config.get("optimizer.discriminator.lr")
    step = f"h={g_lr:g}" if g_lr == d_lr else f"h_G={g_lr:g}, h_D={d_lr:g}"
    return [f"{config.get('training.scheme', '')}, {step}"]


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
