"""Tests of the Makie bridge (ganlab.render.makie) without a Julia runtime.

The error paths run for real: juliacall absent, and juliacall present but no
Julia (offline mode, so juliapkg cannot download anything). The tests named
``test_python_side_*`` replace GanViz with a recording fake and check only the
Python side: option mapping, array hand-over, output file handling. Tests that
need Julia are marked ``julia`` and skipped here.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from ganlab.errors import BackendUnavailableError, UsageError
from ganlab.render import makie

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "julia" / "GanViz" / "test" / "fixtures" / "ring2d.h5"
JULIA_SKIP_REASON = "needs a Julia runtime with GanViz installed (not available on this machine)"


def offline_environment(tmp_path: Path) -> dict[str, str]:
    """An environment in which juliapkg can neither find nor download Julia."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTHON_JULIAPKG_", "JULIA_", "PYTHON_JULIACALL_"))}
    env["PYTHON_JULIAPKG_OFFLINE"] = "yes"
    env["PYTHON_JULIAPKG_PROJECT"] = str(tmp_path / "julia_project")
    env["JULIA_DEPOT_PATH"] = str(tmp_path / "julia_depot")
    env["JULIAUP_DEPOT_PATH"] = str(tmp_path / "juliaup_depot")
    # Only the Python interpreter's directory stays on PATH, so no julia or juliaup is found.
    env["PATH"] = str(Path(sys.executable).parent)
    return env


@pytest.fixture
def run_dir(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    shutil.copyfile(FIXTURE, run / "trajectory.h5")
    return run


# Error paths with Julia absent ------------------------------------------------------------------


def test_makie_without_juliacall_raises(tmp_path, run_dir):
    out = tmp_path / "overview.png"
    script = textwrap.dedent(f"""
        import sys
        sys.modules["juliacall"] = None  # makes find_spec and import see no juliacall
        from ganlab.errors import BackendUnavailableError
        from ganlab.render import render
        try:
            render({str(run_dir)!r}, "overview", {str(out)!r}, backend="makie")
        except BackendUnavailableError as error:
            print(error)
            sys.exit(3)
    """)

    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=offline_environment(tmp_path), timeout=120)

    assert result.returncode == 3, result.stderr
    assert "juliacall" in result.stdout
    assert "pip install ganlab[julia]" in result.stdout
    assert "--backend matplotlib" in result.stdout
    assert not out.exists()


@pytest.mark.skipif(importlib.util.find_spec("juliacall") is None,
                    reason="juliacall is not installed (pip install ganlab[julia])")
def test_makie_without_julia_raises_offline(tmp_path, run_dir):
    out = tmp_path / "snapshot.png"
    script = textwrap.dedent(f"""
        import sys
        from ganlab.errors import BackendUnavailableError
        from ganlab.render.makie import render_makie
        try:
            render_makie({str(run_dir)!r}, "snapshot", {str(out)!r})
        except BackendUnavailableError as error:
            print(error)
            sys.exit(3)
    """)

    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=offline_environment(tmp_path), timeout=120)

    # juliapkg prints its own "[juliapkg] ..." progress lines before the error.
    message = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 3, result.stderr
    assert message.startswith("the makie backend could not start Julia")
    assert "--backend matplotlib" in message
    assert not out.exists()
    assert not list(tmp_path.glob(".snapshot.partial*"))


def test_cli_makie_unavailable_exits_2(tmp_path, run_dir):
    out = tmp_path / "overview.png"

    result = subprocess.run(
        [sys.executable, "-m", "ganlab.cli", "render", str(run_dir), "--backend", "makie",
         "--out", str(out)],
        capture_output=True, text=True, env=offline_environment(tmp_path), timeout=120,
    )

    # juliacall itself may warn that torch was imported first; ganlab's own error is one line.
    lines = [line for line in result.stderr.splitlines() if line.startswith("ganlab render: error:")]
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    assert "makie backend" in lines[0]
    assert "--backend matplotlib" in lines[0]
    assert "Traceback" not in result.stderr
    assert not out.exists()


# Python side with a fake GanViz ----------------------------------------------------------------


class FakeJuliaError(Exception):
    """Stands for juliacall.JuliaError, which carries the Julia exception as ``exception``."""

    def __init__(self, exception):
        super().__init__(f"{exception}")
        self.exception = exception


class FakeGanViz:
    """Records the calls the bridge makes and writes a small output file."""

    def __init__(self, failure: Exception | None = None):
        self.trajectories: list[tuple] = []
        self.renders: list[tuple] = []
        self.failure = failure

    def Trajectory(self, attrs_json, static, series, path=None):  # noqa: N802 - Julia name
        self.trajectories.append((attrs_json, static, series, path))
        return ("julia trajectory", len(self.trajectories))

    def render(self, traj, kind, out, **keywords):
        self.renders.append((traj, kind, out, keywords))
        Path(out).write_bytes(b"figure bytes")
        if self.failure is not None:
            raise self.failure
        return out

    def user_error_message(self, exception):
        return exception.removeprefix("ArgumentError: ") if exception.startswith("ArgumentError") else None


@pytest.fixture
def fake_ganviz(monkeypatch):
    fake = FakeGanViz()
    monkeypatch.setattr(makie, "load_ganviz", lambda: fake)
    return fake


def test_python_side_option_mapping(tmp_path, run_dir, fake_ganviz):
    out = tmp_path / "training.mp4"

    result = makie.render_makie(run_dir, "animation", out, fps=12.0, every=2, dpi=100,
                                size=(4, 3), progress=False)

    (_, kind, written, keywords), = fake_ganviz.renders
    assert result == str(out)
    assert kind == "animation"
    assert keywords == {"framerate": 12, "every": 2, "dpi": 100.0, "size": (4.0, 3.0)}
    assert isinstance(keywords["framerate"], int)
    assert Path(written).parent == out.parent
    assert Path(written).suffix == ".mp4"
    assert out.read_bytes() == b"figure bytes"
    assert not Path(written).exists()


def test_python_side_drops_unset_options(tmp_path, run_dir, fake_ganviz):
    makie.render_makie(run_dir, "overview", tmp_path / "o.png", panels=None, dpi=None)

    (_, _, _, keywords), = fake_ganviz.renders
    assert keywords == {}


def test_python_side_arrays_handed_over(tmp_path, run_dir, fake_ganviz):
    from ganlab.store import open_trajectory

    makie.render_makie(str(run_dir), "snapshot", tmp_path / "s.svg", step=100)

    (attrs_json, static, series, path), = fake_ganviz.trajectories
    with open_trajectory(run_dir) as traj:
        attrs = json.loads(attrs_json)
        assert attrs["config"] == traj.config
        assert attrs["dim"] == 2
        assert sorted(static) == sorted(traj.reader.static_names())
        assert sorted(series) == ["", "scalars"]
        np.testing.assert_array_equal(static["grid_y"], traj.grid_y)
        np.testing.assert_array_equal(series[""]["samples"], traj.samples)
        np.testing.assert_array_equal(series[""]["steps"], traj.steps)
        np.testing.assert_array_equal(series["scalars"]["loss_d"], traj.scalars["loss_d"])
        assert series[""]["samples"].shape[0] == len(traj)
        assert all(array.flags.c_contiguous for array in series[""].values())
        assert path == traj.path


def test_python_side_accepts_trajectory_object(tmp_path, run_dir, fake_ganviz):
    from ganlab.store import open_trajectory

    with open_trajectory(run_dir) as traj:
        makie.render_makie(traj, "overview", tmp_path / "o.pdf", panels=3)

    (_, kind, _, keywords), = fake_ganviz.renders
    assert kind == "overview"
    assert keywords == {"panels": 3}


def test_python_side_dispatch_from_render(tmp_path, run_dir, fake_ganviz):
    from ganlab.render import render

    out = tmp_path / "snap.png"
    render(run_dir, "snapshot", out, backend="makie", step=150)

    (_, kind, _, keywords), = fake_ganviz.renders
    assert kind == "snapshot"
    assert keywords == {"step": 150}
    assert out.exists()


@pytest.mark.parametrize(
    ("kind", "name", "options", "fragment"),
    [
        ("snapshot", "s.png", {"panels": 3}, "does not apply to figure kind 'snapshot'"),
        ("overview", "o.png", {"style": "x"}, "does not apply to the makie backend"),
        ("overview", "o.mp4", {}, "extension '.mp4'"),
        ("animation", "a.png", {}, "extension '.png'"),
        ("animation", "a.mp4", {"fps": 2.5}, "whole number"),
        ("overview", "o.png", {"panels": 0}, "at least 1"),
        ("overview", "o.png", {"size": (4, -1)}, "positive"),
        ("overview", "o.png", {"dpi": "high"}, "dpi"),
        ("field", "f.png", {}, "does not draw figure kind 'field'"),
    ],
)
def test_python_side_rejects_bad_request(tmp_path, run_dir, fake_ganviz, kind, name, options,
                                         fragment):
    with pytest.raises(UsageError, match=None) as raised:
        makie.render_makie(run_dir, kind, tmp_path / name, **options)

    assert fragment in str(raised.value)
    assert fake_ganviz.renders == []
    assert list(tmp_path.iterdir()) == [run_dir]


def test_python_side_missing_output_directory(tmp_path, run_dir, fake_ganviz):
    with pytest.raises(UsageError, match="does not exist"):
        makie.render_makie(run_dir, "overview", tmp_path / "missing" / "o.png")

    assert fake_ganviz.renders == []


def test_python_side_julia_argument_error_becomes_usage_error(tmp_path, run_dir, monkeypatch):
    fake = FakeGanViz(failure=FakeJuliaError("ArgumentError: GanViz draws 1D and 2D data only"))
    monkeypatch.setattr(makie, "load_ganviz", lambda: fake)
    out = tmp_path / "o.png"

    with pytest.raises(UsageError, match="GanViz draws 1D and 2D data only"):
        makie.render_makie(run_dir, "overview", out)

    assert not out.exists()
    assert list(tmp_path.iterdir()) == [run_dir]


def test_python_side_other_julia_error_propagates(tmp_path, run_dir, monkeypatch):
    fake = FakeGanViz(failure=FakeJuliaError("MethodError: no method matching"))
    monkeypatch.setattr(makie, "load_ganviz", lambda: fake)
    out = tmp_path / "o.png"

    with pytest.raises(FakeJuliaError):
        makie.render_makie(run_dir, "overview", out)

    assert not out.exists()
    assert list(tmp_path.iterdir()) == [run_dir]


def test_python_side_missing_store_reported_before_julia(tmp_path, monkeypatch):
    from ganlab.errors import StoreNotFoundError

    def fail():
        raise AssertionError("Julia must not be loaded for a missing store")

    monkeypatch.setattr(makie, "load_ganviz", fail)

    with pytest.raises(StoreNotFoundError):
        makie.render_makie(tmp_path / "nothing", "overview", tmp_path / "o.png")


def test_import_does_not_load_juliacall():
    script = "import sys, ganlab.render.makie, ganlab.render; print('juliacall' in sys.modules)"

    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)

    assert result.stdout.strip() == "False", result.stderr


def test_backend_unavailable_is_ganlab_error():
    assert issubclass(BackendUnavailableError, Exception)
    assert BackendUnavailableError.exit_status == 2


# With Julia -------------------------------------------------------------------------------------


@pytest.mark.julia
@pytest.mark.skipif(shutil.which("julia") is None, reason=JULIA_SKIP_REASON)
def test_ganviz_julia_test_suite():
    result = subprocess.run(
        ["julia", f"--project={REPO / 'julia' / 'GanViz'}", "-e", "using Pkg; Pkg.test()"],
        capture_output=True, text=True, timeout=3600,
    )

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


@pytest.mark.julia
@pytest.mark.skipif(shutil.which("julia") is None, reason=JULIA_SKIP_REASON)
def test_makie_backend_renders_png(tmp_path, run_dir):
    out = tmp_path / "overview.png"

    makie.render_makie(run_dir, "overview", out, panels=3, dpi=72)

    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
