"""Figures and animations of a recorded run: ``render(run, kind, out)``.

Figure kinds live in ``RENDER_KINDS``. Each kind is a function
``function(traj, out, **options)`` registered with the output extensions it
writes, for example::

    RENDER_KINDS.register("field", render_field, extensions=(".png", ".pdf", ".svg"),
                          description="...")

Pass ``multi_run=True`` for a kind that takes a list of trajectories (the
replay page of a sweep). A kind module registers itself when imported; the
import lines at the end of this file load them.
"""

from __future__ import annotations

import inspect
import sys
import types
import logging
from pathlib import Path
from typing import Any, Sequence

from ganlab.errors import BackendUnavailableError, UsageError
from ganlab.registry import Registry

logger = logging.getLogger(__name__)

RENDER_KINDS = Registry("figure kind", "--kind")

FIGURE_EXTENSIONS = (".png", ".pdf", ".svg")
ANIMATION_EXTENSIONS = (".mp4", ".gif")
BACKENDS = ("matplotlib", "makie")


def render(
    traj_or_path: Any,
    kind: str = "overview",
    out: str | Path | None = None,
    *,
    backend: str = "matplotlib",
    style: str | Path | None = None,
    **options: Any,
) -> Any:
    """Draw ``kind`` for a run and write it to ``out`` when given.

    ``traj_or_path`` is a ``Trajectory`` or the path of a run's store (a list of
    either for kinds that compare runs). The output format follows the
    extension of ``out``. ``style`` is an extra matplotlib style (path or
    name) applied on top of ganlab's. ``options`` go to the kind's function.
    Static kinds return the matplotlib ``Figure`` (also when ``out`` is None,
    for notebooks); animations return the output path. Saving a returned
    figure later uses the caller's rcParams, so embed fonts there with
    ``pdf.fonttype = 42`` if needed.
    """
    if backend == "makie":
        return _render_makie(traj_or_path, kind, out, **options)
    if backend != "matplotlib":
        raise UsageError(f"unknown render backend {backend!r}; accepted: {', '.join(BACKENDS)}")

    entry = RENDER_KINDS.get(kind)
    if out is not None:
        check_extension(kind, out)
    _check_options(kind, entry.obj, options)

    from ganlab.render.routing import draw
    from ganlab.render.style import style_context

    multi_run = bool(entry.extra.get("multi_run"))
    trajectories, opened = _open_trajectories(traj_or_path, multi_run, kind)
    try:
        with style_context(style):
            target = trajectories if multi_run else trajectories[0]
            result = draw(kind, entry.obj, target, out, options)
    finally:
        for traj in opened:
            traj.close()

    if out is not None:
        logger.info("wrote %s", out)
    return result


def kind_extensions(kind: str) -> tuple[str, ...]:
    """Return the output extensions of ``kind`` (empty when the kind did not declare them)."""
    return tuple(RENDER_KINDS.get(kind).extra.get("extensions", ()))


def check_extension(kind: str, out: str | Path) -> None:
    """Raise ``UsageError`` unless ``out``'s extension is one that ``kind`` writes."""
    accepted = kind_extensions(kind)
    suffix = Path(out).suffix.lower()
    if accepted and suffix not in accepted:
        raise UsageError(
            f"cannot write kind {kind!r} to {str(out)!r}: extension {suffix or '(none)'!r} "
            f"is not supported; accepted: {', '.join(accepted)}"
        )


def _check_options(kind: str, function: Any, options: dict[str, Any]) -> None:
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return
    # The first two parameters take the trajectory and the output path.
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    accepted = [name for name, p in list(parameters.items())[2:] if p.kind in named]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise UsageError(
            f"option {unknown[0]!r} does not apply to figure kind {kind!r}; "
            f"accepted options: {', '.join(accepted) or 'none'}"
        )


def _open_trajectories(traj_or_path: Any, multi_run: bool, kind: str) -> tuple[list, list]:
    """Return (trajectories, the ones opened here and to be closed)."""
    if isinstance(traj_or_path, (list, tuple)):
        items: Sequence = traj_or_path
        if not multi_run and len(items) != 1:
            raise UsageError(
                f"figure kind {kind!r} draws one run, got {len(items)}; render each run separately"
            )
    else:
        items = [traj_or_path]

    trajectories, opened = [], []
    try:
        for item in items:
            if isinstance(item, (str, Path)):
                from ganlab.store import open_trajectory

                traj = open_trajectory(item)
                opened.append(traj)
                trajectories.append(traj)
            else:
                trajectories.append(item)
    except BaseException:
        for traj in opened:
            traj.close()
        raise
    return trajectories, opened


def _render_makie(traj_or_path: Any, kind: str, out: Any, **options: Any) -> Any:
    try:
        from ganlab.render.makie import render_makie
    except ModuleNotFoundError as error:
        if error.name not in ("ganlab.render.makie",):
            raise
        raise BackendUnavailableError(
            "the Makie backend is not installed in this ganlab (module ganlab.render.makie "
            "is missing); use --backend matplotlib"
        ) from None
    return render_makie(traj_or_path, kind, out, **options)


# The built-in kinds. Other kind modules register themselves when imported here.
from ganlab.render import animation as _animation  # noqa: E402
from ganlab.render import overview as _overview  # noqa: E402
from ganlab.render import snapshot as _snapshot  # noqa: E402

RENDER_KINDS.register(
    "overview",
    _overview.render_overview,
    extensions=FIGURE_EXTENSIONS,
    default_extension=".png",
    source="Metz et al. 2016, Unrolled Generative Adversarial Networks, Fig. 1",
)
RENDER_KINDS.register(
    "snapshot", _snapshot.render_snapshot, extensions=FIGURE_EXTENSIONS, default_extension=".png"
)
RENDER_KINDS.register(
    "animation",
    _animation.render_animation,
    extensions=ANIMATION_EXTENSIONS,
    default_extension=".mp4",
)

# The dynamics views compare runs, so they take a list of trajectories.
from ganlab.render import field as _field  # noqa: E402
from ganlab.render import params as _params  # noqa: E402
from ganlab.render import spectrum as _spectrum  # noqa: E402
from ganlab.render.dynamics_views import DYNAMICS_EXTENSIONS as _DYNAMICS_EXTENSIONS  # noqa: E402

RENDER_KINDS.register("field", _field.render_field, extensions=_DYNAMICS_EXTENSIONS,
                      default_extension=".png", multi_run=True,
                      description="the game's vector field in parameter space with the runs' paths",
                      source="Mescheder, Geiger & Nowozin 2018, Fig. 1")
RENDER_KINDS.register("spectrum", _spectrum.render_spectrum, extensions=_DYNAMICS_EXTENSIONS,
                      default_extension=".png", multi_run=True,
                      description="eigenvalues of the game's Jacobian and of the update map",
                      source="Mescheder, Nowozin & Geiger 2017, The Numerics of GANs, Sec. 3")
RENDER_KINDS.register("params", _params.render_params, extensions=_DYNAMICS_EXTENSIONS,
                      default_extension=".png", multi_run=True,
                      description="parameter path projected onto its principal components")
from ganlab.render import replay as _replay  # noqa: E402, F401  (registers "replay")
from ganlab.render import counts as _counts  # noqa: E402, F401  (registers "counts")


class _CallableModule(types.ModuleType):
    """This package, callable as ``ganlab.render(...)``.

    Importing ``ganlab.render`` replaces the function ``ganlab.render`` with this
    package (Python sets a package's attribute to each submodule it loads), so
    the package itself forwards calls to ``render``.
    """

    def __call__(self, *args: Any, **kwargs: Any):
        return render(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
