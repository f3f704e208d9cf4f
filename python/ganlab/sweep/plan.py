"""What a sweep has to do: which runs to skip, resume or train, and how to group them.

A run directory that contains a finished run (status completed or diverged,
every planned step recorded) is skipped. One that was interrupted or is still
marked running (its process died) and has a checkpoint is resumed. Everything
else is trained from scratch. A run directory whose saved
config differs from the sweep's in a key that cannot change on resume is an
error unless ``overwrite`` is set, so results of an edited sweep file are
never mixed silently with old ones.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ganlab import config as config_module
from ganlab.errors import UsageError
from ganlab.sweep.batched import batching_obstacle, group_key
from ganlab.sweep.spec import RunSpec, SweepSpec, notes_hidden

log = logging.getLogger(__name__)

# Batching rule for --batched auto on the CPU: every worker gets a group of at least
# MIN_GROUP_SIZE runs, and each run has at most MAX_BATCHED_PARAMETERS parameters (both
# players together). A group on one core was measured 1.6 to 1.9 times faster than its
# runs one after another (docs/reproductions.md), which does not beat spreading them
# over two or more idle cores, hence one group per worker. The parameter bound is an
# estimate: for larger networks the matrix products, not the per-operation overhead,
# dominate the step time.
MIN_GROUP_SIZE = 4
MAX_BATCHED_PARAMETERS = 50_000

# Settings whose stacked training was measured bit-for-bit equal to separate runs on
# the CPU (PyTorch 2.13, AVX-512): float32, batch sizes that are multiples of 32 and
# these activations. Batch sizes 8, 12, 13, 16, 24, 48 and 100 were not exact, and
# neither were tanh, elu and softplus.
# Elsewhere the float32 values differ in the last bits (about 1e-7 after 40 steps), so
# --batched auto trains such runs separately and --batched on accepts the difference.
EXACT_BATCH_MULTIPLE = 32
EXACT_ACTIVATIONS = ("relu", "leaky_relu")


@dataclass
class PlannedRun:
    """A run of the sweep with what the engine has to do for it."""

    spec: RunSpec
    path: Path
    action: str  # "skip", "resume" or "train"
    status: str  # the store's status before this sweep, or "new"


def plan_runs(spec: SweepSpec, out: Path, *, overwrite: bool = False) -> list[PlannedRun]:
    """Decide for every run of ``spec`` whether to skip, resume or train it."""
    planned = []
    for run in spec.runs:
        path = (out / run.path).resolve()
        if overwrite:
            planned.append(PlannedRun(run, path, "train", "new"))
            continue
        planned.append(_plan_one(run, path))
    return planned


def _plan_one(run: RunSpec, path: Path) -> PlannedRun:
    from ganlab.checkpoint import CHECKPOINT_FILE
    from ganlab.store import open_trajectory
    from ganlab.training import CONFIG_FILE, RESUME_SAFE_KEYS

    saved_path = path / CONFIG_FILE
    if not saved_path.exists():
        return PlannedRun(run, path, "train", "new")
    with notes_hidden():
        saved = config_module.load_config(saved_path)
    changes = [line for line in config_module.diff(saved, run.config)
               if line.split(":", 1)[0] not in RESUME_SAFE_KEYS]
    if changes:
        raise UsageError(f"run {str(path)!r} was trained with a different config ("
                         f"{'; '.join(changes[:3])}); pass --overwrite to train it again or "
                         f"choose another --out")
    try:
        with open_trajectory(path) as trajectory:
            status = trajectory.status
            last_step = int(trajectory.steps[-1]) if len(trajectory) else -1
    except Exception as error:  # a store that cannot be read is trained again
        log.info("run %s will be trained again: its store cannot be read (%s)", path, error)
        return PlannedRun(run, path, "train", "unreadable")

    steps = run.config["training"]["steps"]
    has_checkpoint = (path / CHECKPOINT_FILE).exists()
    if status == "diverged":
        return PlannedRun(run, path, "skip", status)
    if status == "completed" and last_step >= steps:
        return PlannedRun(run, path, "skip", status)
    if status in ("completed", "interrupted", "running") and has_checkpoint:
        return PlannedRun(run, path, "resume", status)
    return PlannedRun(run, path, "train", status)


def parameter_count(config: dict[str, Any]) -> int:
    """Return the parameter count of both players of ``config`` (built on the CPU)."""
    from ganlab.data import make_distribution
    from ganlab.game import Game

    distribution = make_distribution(config["data"]["name"],
                                     {k: v for k, v in config["data"].items() if k != "name"})
    game = Game(config, distribution.dim, torch.device("cpu"), torch.float32)
    return sum(game.parameter_count())


def on_gpu(config: dict[str, Any]) -> bool:
    device = config["training"]["device"]
    return device.startswith("cuda") or (device == "auto" and torch.cuda.is_available())


def make_tasks(planned: list[PlannedRun], *, batched: str = "auto", jobs: int = 1,
               threads: int | None = 1) -> list[dict[str, Any]]:
    """Group the runs to train into tasks: batched groups where the rule allows, else one each.

    ``batched`` is "auto" (the rule in docs/sweeps.md), "on" (every batchable
    group of two or more runs) or "off".
    """
    tasks: list[dict[str, Any]] = []
    groups: dict[str, list[PlannedRun]] = {}
    for run in planned:
        if run.action == "skip":
            continue
        entry = {"path": str(run.path), "config": run.spec.config, "action": run.action}
        if batched == "off" or run.action != "train" or batching_obstacle(run.spec.config):
            tasks.append({"runs": [entry], "batched": False, "threads": threads})
            continue
        groups.setdefault(group_key(run.spec.config), []).append(run)

    for members in groups.values():
        config = members[0].spec.config
        use = len(members) >= 2 and (batched == "on" or _auto_batches(config, len(members),
                                                                      jobs))
        if not use:
            for run in members:
                tasks.append({"runs": [_entry(run)], "batched": False, "threads": threads})
            continue
        # Split a large group so that every worker gets a share, each of at least
        # MIN_GROUP_SIZE runs (with --batched on: at least two).
        smallest = MIN_GROUP_SIZE if batched == "auto" else 2
        chunks = max(1, min(jobs, len(members) // smallest))
        size = math.ceil(len(members) / chunks)
        for first in range(0, len(members), size):
            chunk = members[first:first + size]
            tasks.append({"runs": [_entry(run) for run in chunk], "batched": len(chunk) > 1,
                          "threads": threads})
        log.info("batching %d runs of variant %s in %d group(s)", len(members),
                 members[0].spec.variant, math.ceil(len(members) / size))
    return tasks


def _entry(run: PlannedRun) -> dict[str, Any]:
    return {"path": str(run.path), "config": run.spec.config, "action": run.action}


def _auto_batches(config: dict[str, Any], count: int, jobs: int) -> bool:
    if on_gpu(config):
        # NOTE: exactness against separate runs was measured on the CPU only. On CUDA the
        # per-layer check in ganlab.sweep.stacked still guards the matrix products.
        return True
    if count < MIN_GROUP_SIZE * jobs:
        return False
    if config["training"]["batch_size"] % EXACT_BATCH_MULTIPLE != 0:
        return False
    if config["training"]["precision"] != "float32":
        return False
    if any(config[player]["activation"] not in EXACT_ACTIVATIONS
           for player in ("generator", "discriminator")):
        return False
    return parameter_count(config) <= MAX_BATCHED_PARAMETERS
