"""Checkpoints for exact resumption of a run.

A checkpoint holds everything the next generator step depends on: both
players' parameters and buffers (batch-norm statistics, spectral-norm vectors),
both optimizers' states, every random generator's state (data, latent, the
global one, and those owned by regularizers), and the committed row count of
every series of the store at that step. The store is flushed before the
checkpoint is written, so resuming truncates each series to those counts and
replays the same steps: on the CPU the resumed trajectory is bit-for-bit the
uninterrupted one.

Checkpoints are written with ``torch.save`` to a temporary file that then
replaces ``checkpoint.pt`` atomically, and read with ``weights_only=True``:
only tensors, numbers, strings and containers are loaded, nothing is unpickled.
"""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from ganlab.errors import StoreError

if TYPE_CHECKING:  # pragma: no cover
    from ganlab.training import Trainer

log = logging.getLogger(__name__)

CHECKPOINT_FILE = "checkpoint.pt"
CHECKPOINT_VERSION = 1


def _stateful_attributes(owner: Any) -> dict[str, Any]:
    """Return the attributes of ``owner`` that carry training state, by name."""
    found = {}
    for name, value in sorted(vars(owner).items()):
        if isinstance(value, (torch.Generator, torch.nn.Module, torch.optim.Optimizer)):
            found[name] = value
    return found


def _save_object(value: Any) -> Any:
    if isinstance(value, torch.Generator):
        return value.get_state()
    return value.state_dict()


def _load_object(value: Any, state: Any) -> None:
    if isinstance(value, torch.Generator):
        value.set_state(state)
    else:
        value.load_state_dict(state)


def collect_state(trainer: "Trainer", step: int) -> dict[str, Any]:
    """Gather the training state after generator step ``step``."""
    game = trainer.game
    regularizers = {
        f"{index}:{type(regularizer).__name__}": {
            name: _save_object(value) for name, value in _stateful_attributes(regularizer).items()
        }
        for index, regularizer in enumerate(game.regularizers)
    }
    return {
        "version": CHECKPOINT_VERSION,
        "step": step,
        "generator": game.generator.state_dict(),
        "discriminator": game.discriminator.state_dict(),
        "g_optimizer": trainer.g_optimizer.state_dict(),
        "d_optimizer": trainer.d_optimizer.state_dict(),
        "data_rng": trainer.sampler.data_generator.get_state(),
        "latent_rng": trainer.sampler.latent_generator.get_state(),
        "global_rng": torch.get_rng_state(),
        "regularizers": regularizers,
        "committed": {group: trainer.writer.committed(group)
                      for group in trainer.writer.series_names()},
    }


def restore_state(trainer: "Trainer", state: dict[str, Any]) -> None:
    """Load a checkpoint's state into a freshly built trainer."""
    game = trainer.game
    game.generator.load_state_dict(state["generator"])
    game.discriminator.load_state_dict(state["discriminator"])
    trainer.g_optimizer.load_state_dict(state["g_optimizer"])
    trainer.d_optimizer.load_state_dict(state["d_optimizer"])
    trainer.sampler.data_generator.set_state(state["data_rng"])
    trainer.sampler.latent_generator.set_state(state["latent_rng"])
    torch.set_rng_state(state["global_rng"])
    for index, regularizer in enumerate(game.regularizers):
        saved = state["regularizers"].get(f"{index}:{type(regularizer).__name__}", {})
        for name, value in _stateful_attributes(regularizer).items():
            if name in saved:
                _load_object(value, saved[name])


def save_checkpoint(trainer: "Trainer", step: int) -> Path:
    """Flush the store, then write the checkpoint for generator step ``step`` atomically."""
    # Metrics still computing in the background belong to steps up to ``step``, so they
    # are appended before the flush whose row counts the checkpoint records.
    trainer.recorder.flush()
    path = trainer.run_dir / CHECKPOINT_FILE
    temporary = path.with_name(path.name + ".tmp")
    # Serializing in memory first makes a failed write (a full disk) an OSError with its
    # errno; torch.save writing to a file reports it as a RuntimeError without one.
    buffer = io.BytesIO()
    torch.save(collect_state(trainer, step), buffer)
    try:
        with open(temporary, "wb") as handle:
            handle.write(buffer.getbuffer())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise
    log.debug("checkpoint at step %d written to %s", step, path)
    return path


def load_checkpoint(run_dir: Path) -> dict[str, Any]:
    """Read a run's checkpoint (tensors and containers only)."""
    path = Path(run_dir) / CHECKPOINT_FILE
    if not path.exists():
        raise StoreError(f"run {str(run_dir)!r} has no {CHECKPOINT_FILE}; it cannot be resumed "
                         f"(it stopped before its first checkpoint: train it again)")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises several types for damaged files
        raise StoreError(f"checkpoint {str(path)!r} cannot be read ({type(error).__name__}: "
                         f"{error}); train the run again") from None
    if not isinstance(state, dict) or state.get("version") != CHECKPOINT_VERSION:
        raise StoreError(f"checkpoint {str(path)!r} is not a ganlab checkpoint of version "
                         f"{CHECKPOINT_VERSION}")
    return state
