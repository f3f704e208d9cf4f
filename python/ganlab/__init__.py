"""ganlab: see, measure and explain how GANs train on low-dimensional problems.

The Python API mirrors the command line::

    import ganlab
    config = ganlab.load_config("ring8", ["training.steps=2000"])
    result = ganlab.train(config, "runs/ring8")
    traj = ganlab.open("runs/ring8")          # numpy arrays: traj.samples, traj.steps, ...
    fig = ganlab.render(traj, "overview")     # a matplotlib Figure
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ganlab")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.1.0"

__all__ = ["load_config", "train", "resume", "open", "render", "diagnose", "compute_metrics",
           "__version__"]


def load_config(source="ring8", overrides=()):
    """Load and validate a config from a TOML path, preset name or mapping; see ``ganlab.config``."""
    from ganlab.config import load_config as _load_config

    return _load_config(source, overrides)


def train(config, out, *, overwrite=False, overrides=(), on_step=None):
    """Train a run into the directory ``out``; return a ``RunResult``."""
    from ganlab.training import train as _train

    return _train(config, out, overwrite=overwrite, overrides=overrides, on_step=on_step)


def resume(run_dir, config=None, overrides=(), on_step=None):
    """Continue a stopped run from its last checkpoint; return a ``RunResult``."""
    from ganlab.training import resume as _resume

    return _resume(run_dir, config, overrides, on_step=on_step)


def open(path):  # noqa: A001 - the public name mirrors builtins.open on purpose
    """Open a run directory or store as a ``Trajectory`` of numpy arrays."""
    from ganlab.store import open_trajectory

    return open_trajectory(path)


def render(traj_or_path, kind="overview", out=None, **options):
    """Render a trajectory; returns a matplotlib Figure, or the output path for animations."""
    from ganlab.render import render as _render

    return _render(traj_or_path, kind, out, **options)


def diagnose(traj_or_path, **thresholds):
    """Label the training failures of a run, with evidence; see ``ganlab.diagnosis``."""
    from ganlab.diagnosis import diagnose as _diagnose

    if isinstance(traj_or_path, str) or hasattr(traj_or_path, "__fspath__"):
        traj_or_path = open(traj_or_path)
    return _diagnose(traj_or_path, **thresholds)


def compute_metrics(traj_or_path):
    """Compute every per-snapshot metric of a run; returns a dict of arrays keyed by metric."""
    from ganlab.metrics import compute_trajectory_metrics

    if isinstance(traj_or_path, str) or hasattr(traj_or_path, "__fspath__"):
        traj_or_path = open(traj_or_path)
    return compute_trajectory_metrics(traj_or_path)
