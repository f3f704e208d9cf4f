"""Checks of ganlab's Julia sources that run without Julia: parsing, linting, package metadata, fixtures.

No Julia runtime is available here, so GanViz is checked statically. Every
.jl file must parse with tree-sitter-julia and pass the fatou linter. The
package metadata must agree with each other and with juliapkg's view of them.
The Julia test fixtures must still match what ganlab's Python store reader returns.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
GANVIZ = REPO / "julia" / "GanViz"
FIXTURES = GANVIZ / "test" / "fixtures"
CHECKER = REPO / "tools" / "check_julia.py"
JULIA_FILES = sorted(GANVIZ.rglob("*.jl"))


def run_checker(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECKER), *args], capture_output=True, text=True,
                          timeout=60)


def load_fixture_script():
    spec = importlib.util.spec_from_file_location("make_fixtures", GANVIZ / "test" / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ganviz_has_julia_sources():
    names = {path.name for path in JULIA_FILES}
    assert {"GanViz.jl", "overview.jl", "snapshot.jl", "animation.jl", "runtests.jl"} <= names


@pytest.mark.parametrize("path", JULIA_FILES, ids=lambda path: path.name)
def test_julia_file_parses(path):
    tree_sitter = pytest.importorskip("tree_sitter")
    tree_sitter_julia = pytest.importorskip("tree_sitter_julia")
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_julia.language()))

    tree = parser.parse(path.read_bytes())

    assert not tree.root_node.has_error, f"{path} has ERROR or MISSING nodes"


@pytest.mark.skipif(shutil.which("fatou") is None, reason="fatou (pip install fatou) is not on PATH")
def test_julia_sources_lint_clean():
    result = subprocess.run(["fatou", "lint", "--no-config", "--color", "never", str(GANVIZ)],
                            capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stdout + result.stderr


def test_checker_passes_repository():
    pytest.importorskip("tree_sitter_julia")
    result = run_checker()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 error(s)" in result.stdout


def test_checker_rejects_syntax_error(tmp_path):
    pytest.importorskip("tree_sitter_julia")
    broken = tmp_path / "broken.jl"
    broken.write_text("function area(r)\n    return pi * r^\nend\n")

    result = run_checker(str(broken))

    assert result.returncode == 1
    assert f"{broken}:" in result.stdout
    assert "error" in result.stdout


def test_checker_rejects_missing_end(tmp_path):
    pytest.importorskip("tree_sitter_julia")
    broken = tmp_path / "unclosed.jl"
    broken.write_text("module Unclosed\nfunction f(x)\n    return x\nend\n")

    result = run_checker(str(broken))

    assert result.returncode == 1
    assert "unclosed.jl" in result.stdout


def test_checker_accepts_clean_file(tmp_path):
    pytest.importorskip("tree_sitter_julia")
    clean = tmp_path / "clean.jl"
    clean.write_text("function area(r)\n    return pi * r^2\nend\n")

    result = run_checker(str(clean))

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("fatou") is None, reason="fatou (pip install fatou) is not on PATH")
def test_checker_fails_on_lint_warning(tmp_path):
    pytest.importorskip("tree_sitter_julia")
    source = tmp_path / "unused.jl"
    source.write_text("function f(a)\n    b = 2\n    return a\nend\n")

    strict = run_checker(str(source))
    lenient = run_checker(str(source), "--allow-warnings")

    assert strict.returncode == 1
    assert "unused-binding" in strict.stdout
    assert lenient.returncode == 0


def test_checker_without_files_exits_2(tmp_path):
    result = run_checker(str(tmp_path))

    assert result.returncode == 2


def test_package_uuid_agrees_everywhere():
    ganviz = tomllib.loads((GANVIZ / "Project.toml").read_text())
    environment = tomllib.loads((REPO / "Project.toml").read_text())
    juliapkg = json.loads((REPO / "python" / "ganlab" / "juliapkg.json").read_text())

    assert ganviz["name"] == "GanViz"
    assert environment["deps"]["GanViz"] == ganviz["uuid"]
    assert juliapkg["packages"]["GanViz"]["uuid"] == ganviz["uuid"]
    assert (REPO / environment["sources"]["GanViz"]["path"] / "Project.toml").is_file()


def test_ganviz_dependencies_have_compat_bounds():
    ganviz = tomllib.loads((GANVIZ / "Project.toml").read_text())

    missing = sorted(set(ganviz["deps"]) - set(ganviz["compat"]))

    assert missing == []
    assert "julia" in ganviz["compat"]


def test_juliapkg_resolves_ganviz_path():
    deps = pytest.importorskip("juliapkg.deps")

    _, packages = deps.find_requirements()

    ganviz = [package for package in packages if package.name == "GanViz"]
    assert len(ganviz) == 1
    assert Path(ganviz[0].path).resolve() == GANVIZ.resolve()
    assert ganviz[0].dev is True


def test_fixtures_hold_uncommitted_rows():
    h5py = pytest.importorskip("h5py")
    zarr = pytest.importorskip("zarr")
    expected = json.loads((FIXTURES / "expected.json").read_text())
    committed = expected["ring2d"]["snapshot_count"]

    with h5py.File(FIXTURES / "ring2d.h5", "r", locking=False) as file:
        assert file["samples"].shape[0] > committed
        assert int(file["committed"][()]) == committed
    root = zarr.open_group(str(FIXTURES / "ring2d.zarr"), mode="r")
    assert root["samples"].shape[0] > committed
    assert int(root["committed"][()]) == committed


def test_fixture_expectations_match_python_reader():
    script = load_fixture_script()
    expected = json.loads((FIXTURES / "expected.json").read_text())

    assert script.expected_ring2d(FIXTURES / "ring2d.h5") == expected["ring2d"]
    assert script.expected_ring2d(FIXTURES / "ring2d.zarr") == expected["ring2d_zarr"]
    assert script.expected_critic1d(FIXTURES / "critic1d.h5") == expected["critic1d"]


def test_fixture_surface_is_not_symmetric():
    # A transposed surface must not match: the grid differs in size along x and y.
    expected = json.loads((FIXTURES / "expected.json").read_text())
    height, width = expected["ring2d"]["discriminator_shape"][1:]

    assert height != width
    assert not np.isclose(expected["ring2d"]["surface_probes"][0]["raw"],
                          expected["ring2d"]["surface_probes"][1]["raw"])
