"""The training loop: builds a run from a resolved config and records its trajectory.

One counter, ``step``, counts generator steps; snapshot 0 is the
initialization. A run directory holds ``config.toml`` (the resolved config)
and the trajectory store. The first non-finite loss term ends the run with
status ``diverged``; everything recorded before it stays readable.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import logging
import math
import signal
import threading
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
from ganlab.errors import ConfigError, RunExistsError, StoreError
from ganlab.game import Game
from ganlab.networks import sample_latent
from ganlab.optimizers import make_optimizer
from ganlab.plugins import load_plugins
from ganlab.recorder import Recorder, check_metrics_cadence
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
                 resume: bool = False, on_step: Callable[[int, int], None] | None = None):
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
        check_metrics_cadence(config)
        # A config resolved in another process (a sweep worker) names plugins not imported here.
        load_plugins(config.get("plugins", []))
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
        self.start_step = 0
        self.stop_signal: str | None = None
        if resume:
            self._open_for_resume()
        else:
            try:
                self._prepare_run_dir(overwrite)
            except OSError as error:
                if not _is_disk_full(error):
                    raise
                raise StoreError(f"no space left on the device while creating run "
                                 f"{str(self.run_dir)!r}; free disk space, then train again with "
                                 f"--overwrite, or choose another --out") from None

    def _prepare_run_dir(self, overwrite: bool) -> None:
        from ganlab.store import create_store, store_path

        backend = self.config["record"]["backend"]
        if self.run_dir.exists() and any(self.run_dir.iterdir()):
            if not overwrite:
                raise RunExistsError(f"run directory {str(self.run_dir)!r} is not empty; choose "
                                     f"another --out or pass --overwrite (overwrite=True from "
                                     f"Python) to replace it")
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

    def _open_for_resume(self) -> None:
        from ganlab.checkpoint import load_checkpoint, restore_state
        from ganlab.store import find_store, open_store_for_append

        state = load_checkpoint(self.run_dir)
        if state["step"] >= self.steps:
            raise ConfigError(f"run {str(self.run_dir)!r} already reached step {state['step']} "
                              f"of training.steps = {self.steps}; raise it to continue, for "
                              f"example --set training.steps={2 * self.steps}")
        self.store_path, _ = find_store(self.run_dir)
        self.writer = open_store_for_append(self.store_path)
        # Rows recorded after the checkpoint are replayed, so they are cut off first.
        for group in self.writer.series_names():
            self.writer.truncate(group, state["committed"].get(group, 0))
        self.writer.set_attrs({"config": config_module.to_json(self.config)})
        (self.run_dir / CONFIG_FILE).write_text(config_module.to_toml(self.config),
                                                encoding="utf-8")
        record_generator = torch.Generator().manual_seed(self.seed * 4 + 3)
        self.recorder = Recorder(self.game, self.distribution, self.config, self.writer,
                                 record_generator, resume=True)
        restore_state(self, state)
        self.start_step = state["step"]
        log.info("resuming %s from the checkpoint at step %d", self.run_dir, self.start_step)

    # Loop ---------------------------------------------------------------------

    def run(self) -> RunResult:
        """Train up to ``training.steps`` generator steps; return the outcome."""
        from ganlab.checkpoint import save_checkpoint

        record = self.config["record"]
        start = time.perf_counter()
        g_count, d_count = self.game.parameter_count()
        log.info("training %s on %s: %d generator and %d discriminator parameters, %d steps",
                 self.config["data"]["name"], self.device, g_count, d_count, self.steps)
        status, detail, step = "completed", {}, self.start_step
        snapshots = 0
        try:
            with _stop_on_signals(self):
                if self.start_step == 0:
                    self.recorder.snapshot(0)
                    self.recorder.after_step(0)
                    snapshots += 1
                for step in range(self.start_step + 1, self.steps + 1):
                    terms = self.scheme(self, step)
                    bad_term = _first_non_finite(terms)
                    if bad_term is not None:
                        status = "diverged"
                        detail = {"step": step, "term": bad_term,
                                  "value": float(terms[bad_term]),
                                  "last_snapshot_step": self._last_snapshot_step(step)}
                        log.warning("run diverged at step %d: %s is %s; the trajectory up to "
                                    "step %d is intact", step, bad_term, float(terms[bad_term]),
                                    detail["last_snapshot_step"])
                        break
                    if step % record["scalars_every"] == 0 or step == self.steps:
                        self.recorder.scalars(step, self._scalar_row(terms))
                    self.recorder.after_step(step)
                    if step % record["every"] == 0 or step == self.steps:
                        self.recorder.snapshot(step)
                        snapshots += 1
                        if snapshots % record["flush_every"] == 0:
                            self.recorder.flush()
                    every = record["checkpoint_every"]
                    if step == self.steps or (every and step % every == 0):
                        save_checkpoint(self, step)
                    if self.on_step is not None:
                        self.on_step(step, self.steps)
                    if self.stop_signal is not None:
                        # Stopped between two steps, so the checkpoint resumes exactly.
                        if step != self.steps and not (every and step % every == 0):
                            save_checkpoint(self, step)
                        status = "interrupted"
                        detail = {"step": step, "reason": self.stop_signal}
                        log.warning("training stopped by %s after step %d; continue it with "
                                    "`ganlab train --resume %s`", self.stop_signal, step,
                                    self.run_dir)
                        break
                # A metric computation that failed raises here, inside the error handling.
                self.recorder.drain()
        except OSError as error:
            self._finish_after_error(step, error, start)
            if not _is_disk_full(error):
                raise
            raise StoreError(_disk_full_message(self.run_dir, step)) from None
        except KeyboardInterrupt:
            self._finish_after_error(step, None, start, status="interrupted")
            raise
        except BaseException as error:
            self._finish_after_error(step, error, start)
            raise
        return self._finish(status, detail, start, step)

    def _finish(self, status: str, detail: dict, start: float, step: int = 0) -> RunResult:
        seconds = time.perf_counter() - start
        self.recorder.flush()
        self.writer.set_status(status, **detail, seconds=round(seconds, 3))
        self.writer.close()
        log.info("run %s after %.1f s; trajectory in %s", status, seconds, self.store_path)
        return RunResult(self.run_dir, self.store_path, status, step, seconds, detail)

    def _finish_after_error(self, step: int, error: BaseException | None, start: float,
                            status: str = "failed") -> None:
        """Record why the run stopped, as far as the store can still be written."""
        detail = {"step": step}
        if error is not None:
            detail["error"] = f"{type(error).__name__}: {error}"
        try:
            self._finish(status, detail, start, step)
            return
        except Exception as second:  # the store may be the thing that failed
            log.debug("finishing %s failed: %s", self.store_path, second)
        # Buffered rows that cannot be written (a full disk) are dropped, so that the
        # small status write still has a chance.
        try:
            for group in self.writer.series_names():
                self.writer.truncate(group, self.writer.committed(group))
            self._finish(status, detail, start, step)
        except Exception as second:
            log.error("could not record status %r in %s: %s", status, self.store_path, second)

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


@contextlib.contextmanager
def _stop_on_signals(trainer: Trainer):
    """Turn the first SIGINT or SIGTERM into a stop after the current step.

    A second SIGINT raises ``KeyboardInterrupt`` at once. Outside the main thread
    (where Python cannot install handlers) signals keep their default behaviour.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def request_stop(signum, frame):
        name = signal.Signals(signum).name
        if trainer.stop_signal is not None and signum == signal.SIGINT:
            raise KeyboardInterrupt
        if trainer.stop_signal is None:
            trainer.stop_signal = name

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _is_disk_full(error: OSError) -> bool:
    return error.errno in (errno.ENOSPC, errno.EDQUOT)


def _disk_full_message(run_dir: Path, step: int) -> str:
    from ganlab.checkpoint import CHECKPOINT_FILE

    if (run_dir / CHECKPOINT_FILE).exists():
        advice = f"free disk space, then continue with `ganlab train --resume {run_dir}`"
    else:
        advice = ("free disk space, then train it again with --overwrite (it has no checkpoint "
                  "to resume from)")
    return (f"no space left on the device while writing run {str(run_dir)!r} at step {step} "
            f"(its store keeps the snapshots committed before); {advice}")


def _first_non_finite(terms: Mapping[str, torch.Tensor]) -> str | None:
    # Reading each term as a Python float costs about 1 µs per step with four terms,
    # stacking them into one tensor first about 25 µs (the machine of docs/benchmarks.md).
    for name, value in terms.items():
        if not math.isfinite(value.item()):
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
    return dict(_installed_versions())


@functools.lru_cache(maxsize=1)
def _installed_versions() -> dict[str, str]:
    # Reading the package metadata costs about 8 ms, paid once per process, not once per run.
    import importlib.metadata as metadata

    versions = {"python": platform.python_version(), "numpy": np.__version__,
                "torch": torch.__version__}
    for name in ("ganlab", "zarr", "h5py", "matplotlib"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


# Keys that may differ between a run's saved config and the config it is resumed with.
# Everything else changes what the remaining steps compute, so a change is rejected.
RESUME_SAFE_KEYS = ("training.steps", "training.threads", "record.flush_every",
                    "record.checkpoint_every", "metrics.background")


def resume(run_dir: str | Path, config: Mapping[str, Any] | str | Path | None = None,
           overrides=(), on_step: Callable[[int, int], None] | None = None) -> RunResult:
    """Continue a run from its last checkpoint; return the outcome.

    Without ``config`` the run's saved config is used (with ``overrides``
    applied). A config that differs from the saved one in any key outside
    ``RESUME_SAFE_KEYS`` is rejected with the list of differences.
    """
    run_dir = Path(run_dir)
    saved_path = run_dir / CONFIG_FILE
    if not saved_path.exists():
        raise RunExistsError(f"{str(run_dir)!r} is not a ganlab run directory (no {CONFIG_FILE}); "
                             f"give the directory passed as --out when the run was trained")
    saved = config_module.load_config(saved_path)
    if config is None:
        new = config_module.load_config(saved, overrides)
    else:
        new = config_module.load_config(config, overrides)
    changes = [line for line in config_module.diff(saved, new)
               if line.split(":", 1)[0] not in RESUME_SAFE_KEYS]
    if changes:
        raise ConfigError(f"cannot resume {str(run_dir)!r} with a changed config: "
                          f"{'; '.join(changes)}. Only {', '.join(RESUME_SAFE_KEYS)} may change "
                          f"on resume; train a new run for other changes")
    return Trainer(new, run_dir, resume=True, on_step=on_step).run()


def train(config: Mapping[str, Any] | str | Path, out: str | Path, *, overwrite: bool = False,
          overrides=(), on_step: Callable[[int, int], None] | None = None) -> RunResult:
    """Train a run from a resolved config (or a config path / preset name) into ``out``."""
    if not isinstance(config, Mapping) or "training" not in config or "plugins" not in config:
        config = config_module.load_config(config, overrides)
    elif overrides:
        config = config_module.load_config(config, overrides)
    return Trainer(config, out, overwrite=overwrite, on_step=on_step).run()
