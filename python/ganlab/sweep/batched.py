"""Batched training: runs that differ only in their seed, trained together in one process.

Every run is built by ``Trainer`` exactly as a separate run is (its seed's
network initialization, its own ``Sampler`` streams, optimizers, ``Recorder``
and store). The players' parameters of all runs are then stacked with a
leading run axis (``ganlab.sweep.stacked``), and each generator or
discriminator step evaluates all runs with batched matrix products. One
optimizer per player steps the stacked tensors. It is built by the same
factory as a run's own, so on the CPU it is PyTorch's single-tensor update.
Adam, SGD and RMSprop update each element independently, so a stacked step
equals the separate steps element by element. Each run's batches are drawn from its own ``Sampler`` and stacked.
The outputs are normal runs: the same trajectory arrays, checkpoints and
statuses as ``ganlab train`` writes (tested bit for bit on the CPU).

``batching_obstacle`` says which configs can be batched: MLP players without
batch normalization, no stabilizing method, the alternating or simultaneous
scheme, and the adam, sgd or rmsprop optimizer. Everything else trains as
separate runs.
"""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import threading
import time
from pathlib import Path
from typing import Any, Mapping, Sequence

import torch
from torch.func import vmap

from ganlab.checkpoint import save_checkpoint
from ganlab.sweep.stacked import StackedNetwork, check_exact
from ganlab.training import RunResult, Trainer, _first_non_finite

log = logging.getLogger(__name__)

BATCHABLE_SCHEMES = ("alternating", "simultaneous")
BATCHABLE_OPTIMIZERS = ("adam", "sgd", "rmsprop")


def batching_obstacle(config: Mapping[str, Any]) -> str | None:
    """Return why ``config`` cannot be trained in a batched group, or None when it can."""
    for player in ("generator", "discriminator"):
        section = config[player]
        if section["kind"] != "mlp":
            return f"{player}.kind is {section['kind']!r} (only 'mlp' networks are stacked)"
        if section["batch_norm"]:
            return f"{player}.batch_norm is on (batch statistics are not stacked)"
        name = config["optimizer"][player]["name"]
        if name not in BATCHABLE_OPTIMIZERS:
            return f"optimizer.{player}.name is {name!r}"
    names = config.get("regularizer", {}).get("names", [])
    if names:
        return f"regularizer.names is {names!r} (stabilizing methods run per run)"
    scheme = config["training"]["scheme"]
    if scheme not in BATCHABLE_SCHEMES:
        return f"training.scheme is {scheme!r}"
    return None


def group_key(config: Mapping[str, Any]) -> str:
    """Return a key equal for configs that differ at most in ``training.seed``."""
    stripped = json.loads(json.dumps(config))
    stripped["training"].pop("seed", None)
    return json.dumps(stripped, sort_keys=True)


class BatchedGroup:
    """Train R runs with identical configs except the seed, as stacked parameters."""

    def __init__(self, configs: Sequence[Mapping[str, Any]], run_dirs: Sequence[str | Path], *,
                 overwrite: bool = False):
        keys = {group_key(config) for config in configs}
        if len(keys) != 1:
            raise ValueError("a batched group needs configs that differ only in training.seed")
        obstacle = batching_obstacle(configs[0])
        if obstacle is not None:
            raise ValueError(f"this config cannot be batched: {obstacle}")

        self.trainers: list[Trainer] = []
        self.global_rng: list[torch.Tensor] = []
        for config, run_dir in zip(configs, run_dirs):
            self.trainers.append(Trainer(config, run_dir, overwrite=overwrite))
            # A separate run's checkpoints store the global RNG state it has after
            # initialization; batched checkpoints store the same.
            self.global_rng.append(torch.get_rng_state())

        first = self.trainers[0]
        self.config = first.config
        self.steps, self.batch_size, self.d_steps = first.steps, first.batch_size, first.d_steps
        self.scheme = self.config["training"]["scheme"]
        self.objective = first.game.objective
        self.real_label = first.game.real_label
        self.generator = StackedNetwork([t.game.generator for t in self.trainers])
        self.discriminator = StackedNetwork([t.game.discriminator for t in self.trainers])
        self._make_optimizers()
        self.stop_signal: str | None = None

    def exactness_problem(self) -> str | None:
        """Return why stacked products would not match separate runs here, or None."""
        first = self.trainers[0]
        rows = (self.batch_size, 2 * self.batch_size)
        for network in (self.generator, self.discriminator):
            problem = check_exact(network, rows, first.dtype, first.device)
            if problem is not None:
                return problem
        return None

    def abandon(self) -> None:
        """Close the stores of a group that will not be trained (its runs train separately)."""
        for trainer in self.trainers:
            trainer.writer.close()

    def _make_optimizers(self, previous: dict | None = None, kept: Sequence[int] = ()) -> None:
        from ganlab.optimizers import make_optimizer

        settings = self.config["optimizer"]
        self.g_optimizer = make_optimizer(self.generator.parameters, settings["generator"])
        self.d_optimizer = make_optimizer(self.discriminator.parameters, settings["discriminator"])
        if previous is None:
            return
        index = torch.as_tensor(list(kept), dtype=torch.long)
        for optimizer, network, old in ((self.g_optimizer, self.generator, previous["g"]),
                                        (self.d_optimizer, self.discriminator, previous["d"])):
            for stacked, old_state in zip(network.parameters, old):
                optimizer.state[stacked] = {
                    name: _select_runs(value, index, stacked) for name, value in old_state.items()
                }

    # Steps --------------------------------------------------------------------

    def _batches(self) -> tuple[torch.Tensor, torch.Tensor]:
        real = torch.stack([t.sampler.real(self.batch_size) for t in self.trainers])
        latent = torch.stack([t.sampler.latent(self.batch_size) for t in self.trainers])
        return real, latent

    def _discriminate_pair(self, real, fake):
        # Game.discriminate_pair evaluates real and generated data in one pass when no
        # stabilizing method or batch normalization is present, as here.
        out = self.discriminator(torch.cat([real, fake], dim=1)).squeeze(-1)
        return out[:, : self.batch_size], out[:, self.batch_size:]

    def _discriminator_losses(self, real_out, fake_out):
        label = self.real_label
        return vmap(lambda r, f: self.objective.discriminator_loss(r, f, label))(real_out, fake_out)

    def _step_player(self, losses, network, optimizer, retain_graph=False):
        grads = torch.autograd.grad(losses.sum(), network.parameters, retain_graph=retain_graph)
        for stacked, grad in zip(network.parameters, grads):
            stacked.grad = grad
        optimizer.step()

    def _alternating(self) -> dict[str, torch.Tensor]:
        terms: dict[str, torch.Tensor] = {}
        for _ in range(self.d_steps):
            real, latent = self._batches()
            with torch.no_grad():
                fake = self.generator(latent)
            real_out, fake_out = self._discriminate_pair(real, fake)
            d_loss = self._discriminator_losses(real_out, fake_out)
            self._step_player(d_loss, self.discriminator, self.d_optimizer)
            terms["d_loss"] = d_loss.detach()
            terms["d_real_mean"] = real_out.detach().mean(dim=1)
            terms["d_fake_mean"] = fake_out.detach().mean(dim=1)

        # The real batch is drawn although no term uses it, to keep each run's data
        # stream where the separate run's is.
        _, latent = self._batches()
        fake_out = self.discriminator(self.generator(latent)).squeeze(-1)
        g_loss = vmap(self.objective.generator_loss)(fake_out)
        self._step_player(g_loss, self.generator, self.g_optimizer)
        terms["g_loss"] = g_loss.detach()
        return terms

    def _simultaneous(self) -> dict[str, torch.Tensor]:
        real, latent = self._batches()
        fake = self.generator(latent)
        real_out, fake_out = self._discriminate_pair(real, fake)
        d_loss = self._discriminator_losses(real_out, fake_out)
        g_loss = vmap(self.objective.generator_loss)(fake_out)
        d_grads = torch.autograd.grad(d_loss.sum(), self.discriminator.parameters,
                                      retain_graph=True)
        g_grads = torch.autograd.grad(g_loss.sum(), self.generator.parameters)
        for network, grads in ((self.discriminator, d_grads), (self.generator, g_grads)):
            for stacked, grad in zip(network.parameters, grads):
                stacked.grad = grad
        self.d_optimizer.step()
        self.g_optimizer.step()
        return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach(),
                "d_real_mean": real_out.detach().mean(dim=1),
                "d_fake_mean": fake_out.detach().mean(dim=1)}

    # Per-run bookkeeping ------------------------------------------------------

    def _expose_gradients(self, run: int) -> None:
        """Point each run parameter's ``.grad`` at its slice of the stacked gradient."""
        for network in (self.generator, self.discriminator):
            for stacked, param in zip(network.parameters, network.run_parameters(run)):
                param.grad = None if stacked.grad is None else stacked.grad[run]

    def _store_optimizer_state(self, run: int) -> None:
        """Copy run ``run``'s slice of the stacked optimizer states into its own optimizers."""
        trainer = self.trainers[run]
        pairs = ((self.g_optimizer, self.generator, trainer.g_optimizer),
                 (self.d_optimizer, self.discriminator, trainer.d_optimizer))
        for stacked_optimizer, network, run_optimizer in pairs:
            for stacked, param in zip(network.parameters, network.run_parameters(run)):
                state = stacked_optimizer.state.get(stacked)
                if state:
                    run_optimizer.state[param] = {
                        name: _run_slice(value, run, stacked) for name, value in state.items()
                    }

    def _checkpoint(self, run: int, step: int) -> None:
        self._store_optimizer_state(run)
        torch.set_rng_state(self.global_rng[run])
        save_checkpoint(self.trainers[run], step)

    def _drop(self, runs: Sequence[int]) -> None:
        kept = [run for run in range(len(self.trainers)) if run not in set(runs)]
        previous = {
            "g": [self.g_optimizer.state.get(p, {}) for p in self.generator.parameters],
            "d": [self.d_optimizer.state.get(p, {}) for p in self.discriminator.parameters],
        }
        self.trainers = [self.trainers[run] for run in kept]
        self.global_rng = [self.global_rng[run] for run in kept]
        if not kept:
            return
        self.generator.keep(kept)
        self.discriminator.keep(kept)
        self._make_optimizers(previous, kept)

    # Loop ---------------------------------------------------------------------

    def run(self) -> list[RunResult]:
        """Train every run to ``training.steps``; return the outcomes in input order."""
        results: dict[Path, RunResult] = {}
        order = [t.run_dir for t in self.trainers]
        start = time.perf_counter()
        self._snapshots = [1] * len(self.trainers)
        step = 0
        log.info("training %d runs as one batched group, %d steps", len(self.trainers), self.steps)
        try:
            with _stop_on_signals(self):
                for trainer in self.trainers:
                    trainer.recorder.snapshot(0)
                    trainer.recorder.after_step(0)

                for step in range(1, self.steps + 1):
                    if self.scheme == "alternating":
                        terms = self._alternating()
                    else:
                        terms = self._simultaneous()
                    diverged = [run for run in range(len(self.trainers))
                                if not self._record_step(run, step, terms, start, results)]
                    if diverged:
                        self._snapshots = [n for run, n in enumerate(self._snapshots)
                                           if run not in diverged]
                        self._drop(diverged)
                    if not self.trainers:
                        break
                    if self.stop_signal is not None:
                        self._finish_interrupted(step, start, results)
                        break
                # A metric computation that failed raises here, inside the error handling.
                for trainer in self.trainers:
                    trainer.recorder.drain()
        except BaseException as error:
            for trainer in self.trainers:
                status = "interrupted" if isinstance(error, KeyboardInterrupt) else "failed"
                trainer._finish_after_error(step, None if status == "interrupted" else error,
                                            start, status=status)
            raise

        for trainer in self.trainers:
            results[trainer.run_dir] = trainer._finish("completed", {}, start, self.steps)
        return [results[run_dir] for run_dir in order]

    def _record_step(self, run: int, step: int, terms: Mapping[str, torch.Tensor], start: float,
                     results: dict[Path, RunResult]) -> bool:
        """Record run ``run`` after ``step`` as ``Trainer.run`` does; return False if it diverged."""
        record = self.config["record"]
        trainer = self.trainers[run]
        run_terms = {name: values[run] for name, values in terms.items()}
        bad_term = _first_non_finite(run_terms)
        if bad_term is not None:
            results[trainer.run_dir] = self._finish_diverged(trainer, step, bad_term, run_terms,
                                                             start)
            return False

        if step % record["scalars_every"] == 0 or step == self.steps:
            self._expose_gradients(run)
            trainer.recorder.scalars(step, trainer._scalar_row(run_terms))
        trainer.recorder.after_step(step)
        if step % record["every"] == 0 or step == self.steps:
            trainer.recorder.snapshot(step)
            self._snapshots[run] += 1
            if self._snapshots[run] % record["flush_every"] == 0:
                trainer.recorder.flush()

        every = record["checkpoint_every"]
        due = step == self.steps or (every and step % every == 0)
        if due or self.stop_signal is not None:
            self._checkpoint(run, step)
        return True

    def _finish_interrupted(self, step: int, start: float, results: dict[Path, RunResult]) -> None:
        for trainer in self.trainers:
            log.warning("training stopped by %s after step %d; the sweep resumes %s when run "
                        "again", self.stop_signal, step, trainer.run_dir)
            detail = {"step": step, "reason": self.stop_signal}
            results[trainer.run_dir] = trainer._finish("interrupted", detail, start, step)
        self.trainers = []

    def _finish_diverged(self, trainer: Trainer, step: int, term: str,
                         terms: Mapping[str, torch.Tensor], start: float) -> RunResult:
        detail = {"step": step, "term": term, "value": float(terms[term]),
                  "last_snapshot_step": trainer._last_snapshot_step(step)}
        log.warning("run %s diverged at step %d: %s is %s", trainer.run_dir, step, term,
                    detail["value"])
        return trainer._finish("diverged", detail, start, step)


def _run_slice(value: Any, run: int, stacked: torch.Tensor) -> Any:
    if torch.is_tensor(value) and value.shape == stacked.shape:
        return value[run].clone()
    if torch.is_tensor(value):
        return value.clone()
    return value


def _select_runs(value: Any, index: torch.Tensor, stacked_old_shape_source: torch.Tensor) -> Any:
    if torch.is_tensor(value) and value.dim() > 0 and value.shape[1:] == \
            stacked_old_shape_source.shape[1:]:
        return value.index_select(0, index.to(value.device)).clone()
    if torch.is_tensor(value):
        return value.clone()
    return value


@contextlib.contextmanager
def _stop_on_signals(group: BatchedGroup):
    """Turn the first SIGINT or SIGTERM into a stop of the whole group after the current step."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def request_stop(signum, frame):
        if group.stop_signal is not None and signum == signal.SIGINT:
            raise KeyboardInterrupt
        group.stop_signal = signal.Signals(signum).name

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def train_batched(configs: Sequence[Mapping[str, Any]], run_dirs: Sequence[str | Path], *,
                  overwrite: bool = False) -> list[RunResult]:
    """Train runs that differ only in their seed as one batched group; return their outcomes."""
    return BatchedGroup(configs, run_dirs, overwrite=overwrite).run()
