"""The training loop: builds a run from a resolved config and records its trajectory.

One counter, ``step``, counts generator steps; snapshot 0 is the
initialization. A run directory holds ``config.toml`` (the resolved config)
and the trajectory store. The first non-finite loss term ends the run with
status ``diverged``; everything recorded before it stays readable.
"""

from __future__ import annotations

import logging
import math
import platform
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import torch

from ganlab import config as config_module
from ganlab.data import make_distribution
from ganlab.dynamics.spectrum import check_spectrum_size
from ganlab.errors import ConfigError, RunExistsError
from ganlab.game import Game
from ganlab.networks import sample_latent
from ganlab.optimizers import make_optimizer
from ganlab.recorder import Recorder
from ganlab.schemes import SCHEMES

log = logging.getLogger(__name__)

CONFIG_FILE = "config.toml"


@dataclass
class RunResult:
    """Outcome of a training run."""

    run_dir: Path
    store_path: Path
    status: str
    steps_done: int
    seconds: float
    detail: dict = field(default_factory=dict)


class Sampler:
    """Real and latent batches, each stream from its own seeded generator."""

    def __init__(self, distribution, config: Mapping[str, Any], device, dtype, seed: int):
        self.distribution = distribution
        self.latent_dim = config["generator"]["latent_dim"]
        self.latent_kind = config["generator"]["latent"]
        self.device, self.dtype = device, dtype
        # Separate streams: changing how much real data a method draws leaves the latent
        # batches unchanged, and recording consumes neither.
        self.data_generator = torch.Generator().manual_seed(seed * 4 + 1)
        self.latent_generator = torch.Generator().manual_seed(seed * 4 + 2)

    def real(self, n: int) -> torch.Tensor:
        batch = self.distribution.sample(n, self.data_generator)
        return batch.to(device=self.device, dtype=self.dtype)

    def latent(self, n: int) -> torch.Tensor:
        return sample_latent(n, self.latent_dim, self.latent_kind, self.latent_generator,
                             self.dtype, self.device)


def resolve_device(name: str) -> torch.device:
    """Map ``training.device`` to a torch device; 'auto' picks a GPU when one is present."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"training.device: {name!r} requested but no CUDA GPU is available; "
                          f"use 'auto' or 'cpu'")
    if name == "mps" and not torch.backends.mps.is_available():
        raise ConfigError("training.device: 'mps' requested but not available; use 'auto' or 'cpu'")
    return torch.device(name)


class Trainer:
    """Train one run and record its trajectory."""

    def __init__(self, config: Mapping[str, Any], run_dir: str | Path, *, overwrite: bool = False,
                 on_step: Callable[[int, int], None] | None = None):
        self.config = config
        self.run_dir = Path(run_dir)
        self.on_step = on_step
        training = config["training"]
        if training["scheme"] == "simultaneous" and training["d_steps"] != 1:
            raise ConfigError(f"training.d_steps: the simultaneous scheme takes one step per "
                              f"player, got d_steps = {training['d_steps']}; set d_steps = 1 or "
                              f"use scheme = 'alternating'")
        self.steps = training["steps"]
        self.batch_size = training["batch_size"]
        self.d_steps = training["d_steps"]
        self.device = resolve_device(training["device"])
        self.dtype = torch.float64 if training["precision"] == "float64" else torch.float32
        self.scheme = SCHEMES.get(training["scheme"]).obj
        self.seed = training["seed"]

        # Everything that can fail on bad input happens before the run directory is touched.
        self.distribution = make_distribution(config["data"]["name"], _data_params(config))
        if training["threads"]:
            torch.set_num_threads(training["threads"])
        torch.manual_seed(self.seed)  # network initialization uses the global generator
        self.game = Game(config, self.distribution.dim, self.device, self.dtype)
        self.g_params = self.game.generator_parameters()
        self.d_params = self.game.discriminator_parameters()
        check_spectrum_size(config, sum(self.game.parameter_count()))
        self.g_optimizer = make_optimizer(self.g_params, config["optimizer"]["generator"])
        self.d_optimizer = make_optimizer(self.d_params, config["optimizer"]["discriminator"])
        self.sampler = Sampler(self.distribution, config, self.device, self.dtype, self.seed)
        self._prepare_run_dir(overwrite)

    def _prepare_run_dir(self, overwrite: bool) -> None:
        from ganlab.store import create_store, store_path

        backend = self.config["record"]["backend"]
        if self.run_dir.exists() and any(self.run_dir.iterdir()):
            if not overwrite:
                raise RunExistsError(f"run directory {str(self.run_dir)!r} is not empty; choose "
                                     f"another --out or pass --overwrite to replace it")
            if not (self.run_dir / CONFIG_FILE).exists():
                raise RunExistsError(f"run directory {str(self.run_dir)!r} is not empty and does "
                                     f"not hold a ganlab run; refusing to delete it, choose another "
                                     f"--out")
            shutil.rmtree(self.run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        (self.run_dir / CONFIG_FILE).write_text(config_module.to_toml(self.config),
                                                encoding="utf-8")
        self.store_path = store_path(self.run_dir, backend)
        self.writer = create_store(self.store_path, backend, overwrite=True)
        self.writer.set_attrs({
            "config": config_module.to_json(self.config),
            "status": "running",
            "status_detail": {},
            "library_versions": _library_versions(),
            "device": str(self.device),
        })
        record_generator = torch.Generator().manual_seed(self.seed * 4 + 3)
        self.recorder = Recorder(self.game, self.distribution, self.config, self.writer,
                                 record_generator)

    # Loop ---------------------------------------------------------------------

    def run(self) -> RunResult:
        """Train for ``training.steps`` generator steps; return the outcome."""
        record = self.config["record"]
        start = time.perf_counter()
        g_count, d_count = self.game.parameter_count()
        log.info("training %s on %s: %d generator and %d discriminator parameters, %d steps",
                 self.config["data"]["name"], self.device, g_count, d_count, self.steps)
        status, detail, step = "completed", {}, 0
        snapshots = 0
        try:
            self.recorder.snapshot(0)
            self.recorder.after_step(0)
            snapshots += 1
            for step in range(1, self.steps + 1):
                terms = self.scheme(self, step)
                bad_term = _first_non_finite(terms)
                if bad_term is not None:
                    status = "diverged"
                    detail = {"step": step, "term": bad_term,
                              "value": float(terms[bad_term]),
                              "last_snapshot_step": self._last_snapshot_step(step)}
                    log.warning("run diverged at step %d: %s is %s; the trajectory up to step "
                                "%d is intact", step, bad_term, float(terms[bad_term]),
                                detail["last_snapshot_step"])
                    break
                if step % record["scalars_every"] == 0 or step == self.steps:
                    self.recorder.scalars(step, self._scalar_row(terms))
                self.recorder.after_step(step)
                if step % record["every"] == 0 or step == self.steps:
                    self.recorder.snapshot(step)
                    snapshots += 1
                    if snapshots % record["flush_every"] == 0:
                        self.writer.flush()
                if self.on_step is not None:
                    self.on_step(step, self.steps)
        except KeyboardInterrupt:
            status, detail = "interrupted", {"step": step, "reason": "keyboard interrupt"}
            log.warning("training interrupted at step %d; the trajectory so far is kept", step)
            self._finish(status, detail, start)
            raise
        except BaseException as error:
            self._finish("failed", {"step": step, "error": f"{type(error).__name__}: {error}"},
                         start)
            raise
        return self._finish(status, detail, start, step)

    def _finish(self, status: str, detail: dict, start: float, step: int = 0) -> RunResult:
        seconds = time.perf_counter() - start
        self.writer.flush()
        self.writer.set_status(status, **detail, seconds=round(seconds, 3))
        self.writer.close()
        log.info("run %s after %.1f s; trajectory in %s", status, seconds, self.store_path)
        return RunResult(self.run_dir, self.store_path, status, step, seconds, detail)

    def _last_snapshot_step(self, step: int) -> int:
        every = self.config["record"]["every"]
        return ((step - 1) // every) * every

    def _scalar_row(self, terms: Mapping[str, torch.Tensor]) -> dict[str, float]:
        row = {name: float(value) for name, value in terms.items()}
        row["g_grad_norm"] = _gradient_norm(self.g_params)
        row["d_grad_norm"] = _gradient_norm(self.d_params)
        row["g_lr"] = float(self.g_optimizer.param_groups[0]["lr"])
        row["d_lr"] = float(self.d_optimizer.param_groups[0]["lr"])
        return row


def _first_non_finite(terms: Mapping[str, torch.Tensor]) -> str | None:
    values = torch.stack([value.reshape(()).to(torch.float64) for value in terms.values()])
    if bool(torch.isfinite(values).all()):
        return None
    for name, value in terms.items():
        if not math.isfinite(float(value)):
            return name
    return None


def _gradient_norm(params) -> float:
    grads = [p.grad.reshape(-1) for p in params if p.grad is not None]
    if not grads:
        return 0.0
    return float(torch.linalg.vector_norm(torch.cat(grads)))


def _data_params(config: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in config["data"].items() if k != "name"}


def _library_versions() -> dict[str, str]:
    import importlib.metadata as metadata

    versions = {"python": platform.python_version(), "numpy": np.__version__,
                "torch": torch.__version__}
    for name in ("ganlab", "zarr", "h5py", "matplotlib"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def train(config: Mapping[str, Any] | str | Path, out: str | Path, *, overwrite: bool = False,
          overrides=(), on_step: Callable[[int, int], None] | None = None) -> RunResult:
    """Train a run from a resolved config (or a config path / preset name) into ``out``."""
    if not isinstance(config, Mapping) or "training" not in config or "plugins" not in config:
        config = config_module.load_config(config, overrides)
    elif overrides:
        config = config_module.load_config(config, overrides)
    return Trainer(config, out, overwrite=overwrite, on_step=on_step).run()
