"""Plugins: a regularizer from a file through train, list, sweep, diagnose and render; errors."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import zarr

from ganlab.cli import main
from ganlab.config import load_config
from ganlab.errors import ConfigError
from ganlab.plugins import load_plugin, load_plugins
from ganlab.regularizers import REGULARIZERS

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "docs" / "examples"
FIXTURES = REPO / "tests" / "fixtures" / "plugins"
TINY = {"training.steps": 30, "training.d_steps": 1, "record.every": 15,
        "record.samples": 64, "record.real": 128, "training.batch_size": 32,
        "generator.hidden": 16, "discriminator.hidden": 16, "record.grid": 16,
        "record.field_grid": 4, "record.manifold_grid": 4, "record.checkpoint_every": 0}


def write_tiny_config(folder: Path, plugins: list[str]) -> Path:
    """Copy the example config with small sizes and the given plugins into ``folder``."""
    text = (EXAMPLE / "drift_ring8.toml").read_text(encoding="utf-8")
    text = text.replace('plugins = ["drift_penalty.py"]', "plugins = " + json.dumps(plugins))
    overrides = "\n".join(f"{key.split('.')[1]} = {value}" for key, value in TINY.items()
                          if key.startswith("record."))
    text = text.replace("[training]", f"[record]\n{overrides}\n\n[training]")
    text = text.replace("steps = 5000", "steps = 30").replace("batch_size = 256",
                                                              "batch_size = 32")
    text = text.replace("d_steps = 5", "d_steps = 1")
    path = folder / "drift_tiny.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run_python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter, where no plugin is imported yet."""
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def plugin_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plugin")
    shutil.copy(EXAMPLE / "drift_penalty.py", folder / "drift_penalty.py")
    shutil.copy(FIXTURES / "figure_kind.py", folder / "figure_kind.py")
    return folder


@pytest.fixture(scope="module")
def drift_run(plugin_folder):
    config = write_tiny_config(plugin_folder, ["drift_penalty.py", "figure_kind.py"])
    out = plugin_folder / "run"
    status = main(["train", str(config), "--out", str(out), "--no-progress"])
    assert status == 0
    return out


# The example regularizer ----------------------------------------------------


def test_drift_term_matches_formula(plugin_folder):
    # Every test loads the same copy: a second file registering "drift" would be rejected.
    load_plugin(str(plugin_folder / "drift_penalty.py"))
    penalty = REGULARIZERS.get("drift").obj({"weight": 0.001})

    class Context:
        real_out = torch.tensor([1.0, 2.0, 3.0])

    terms = penalty.discriminator_terms(Context())
    assert terms["drift"].item() == pytest.approx(0.001 * 14 / 3)


def test_train_records_drift_term(drift_run):
    scalars = zarr.open_group(str(drift_run / "trajectory.zarr"), mode="r")["scalars"]
    assert "drift" in scalars
    values = np.asarray(scalars["drift"])
    assert np.all(np.isfinite(values))
    assert np.all(values >= 0)


def test_saved_config_names_absolute_plugin(drift_run, plugin_folder):
    saved = (drift_run / "config.toml").read_text(encoding="utf-8")
    assert json.dumps(str((plugin_folder / "drift_penalty.py").resolve())) in saved


def test_saved_config_loads_in_fresh_process(drift_run, plugin_folder):
    code = ("import ganlab; from ganlab.regularizers import REGULARIZERS; "
            f"c = ganlab.load_config({str(drift_run / 'config.toml')!r}); "
            "print('drift' in REGULARIZERS, c['regularizer']['names'])")
    result = run_python(code, REPO)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True ['gp', 'drift']"


def test_list_shows_plugin_entry(plugin_folder, capsys):
    status = main(["list", "regularizers", "--plugin", str(plugin_folder / "drift_penalty.py")])
    assert status == 0
    assert "drift\n" in capsys.readouterr().out


def test_list_loads_config_plugins(plugin_folder, capsys):
    config = write_tiny_config(plugin_folder, ["drift_penalty.py"])
    status = main(["list", "regularizers", "--config", str(config)])
    assert status == 0
    assert "Karras et al. 2018" in capsys.readouterr().out


def test_diagnose_run_with_plugin(drift_run, capsys):
    status = main(["diagnose", str(drift_run), "--json"])
    assert status == 0
    assert json.loads(capsys.readouterr().out)


def test_render_plugin_kind_fresh_process(drift_run, tmp_path):
    out = tmp_path / "means.txt"
    code = ("import sys; from ganlab.cli import main; "
            f"sys.exit(main(['render', {str(drift_run)!r}, '--kind', 'sample_means', "
            f"'--out', {str(out)!r}]))")
    result = run_python(code, REPO)
    assert result.returncode == 0, result.stderr
    store = zarr.open_group(str(drift_run / "trajectory.zarr"), mode="r")
    expected = np.asarray(store["samples"]).mean(axis=1)
    written = np.loadtxt(out)
    assert np.allclose(written[:, 1:], expected[: len(written)], atol=1e-5)


def test_sweep_workers_load_plugin(plugin_folder, tmp_path):
    from ganlab.sweep import run_sweep

    config = write_tiny_config(plugin_folder, ["drift_penalty.py"])
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(f'base = {json.dumps(str(config))}\nseeds = 2\n\n[sweep]\nsteps = 20\n',
                     encoding="utf-8")
    result = run_sweep(sweep, tmp_path / "out", jobs=2, batched="off", progress=False)
    statuses = [run["status"] for run in result.index["runs"]]
    assert statuses == ["completed", "completed"]
    for run in result.index["runs"]:
        store = zarr.open_group(str(tmp_path / "out" / run["path"] / "trajectory.zarr"), mode="r")
        assert "drift" in store["scalars"]


# Loading rules --------------------------------------------------------------


def test_same_file_loads_once(plugin_folder):
    first = load_plugins(["drift_penalty.py"], plugin_folder)
    second = load_plugins(["drift_penalty.py"], plugin_folder)
    assert first == second
    assert first == [str((plugin_folder / "drift_penalty.py").resolve())]


def test_module_plugin_by_name():
    assert load_plugins(["json"]) == ["json"]


# Errors ---------------------------------------------------------------------


@pytest.mark.parametrize("name,line,text", [
    ("syntax_error.py", 4, "syntax error"),
    ("raises_at_import.py", 6, "KeyError: 'missing'"),
    ("duplicate_name.py", 7, "a regularizer named 'r1' is already registered"),
])
def test_error_names_file_and_line(name, line, text):
    with pytest.raises(ConfigError) as caught:
        load_plugin(str(FIXTURES / name))
    message = str(caught.value)
    assert f"{FIXTURES / name}:{line}:" in message
    assert text in message
    assert "\n" not in message


def test_missing_file_names_path(tmp_path):
    with pytest.raises(ConfigError, match="plugin file .*nowhere.py' not found"):
        load_plugins(["nowhere.py"], tmp_path)


def test_missing_module_names_module():
    with pytest.raises(ConfigError, match="plugin module 'no_such_ganlab_plugin' not found"):
        load_plugins(["no_such_ganlab_plugin"])


def test_plugins_must_be_list():
    with pytest.raises(ConfigError, match="expected a list"):
        load_config({"plugins": "drift_penalty.py", "data": {"name": "ring"}})


def test_cli_reports_plugin_error(tmp_path, capsys):
    shutil.copy(FIXTURES / "raises_at_import.py", tmp_path / "raises_at_import.py")
    config = tmp_path / "bad.toml"
    config.write_text('plugins = ["raises_at_import.py"]\n[data]\nname = "ring"\n',
                      encoding="utf-8")
    status = main(["train", str(config), "--out", str(tmp_path / "run")])
    error = capsys.readouterr().err.strip()
    assert status == 2
    assert error.count("\n") == 0
    assert f"{tmp_path / 'raises_at_import.py'}:6:" in error
    assert not (tmp_path / "run").exists()
