"""The [data] section: presets, validation messages, defaults and the generated docs."""

from pathlib import Path

import pytest

from ganlab.data import (
    DATA_PRESETS,
    DATASETS,
    dataset_fields,
    make_distribution,
    resolve_data_section,
)
from ganlab.data.docs import BEGIN_MARKER, END_MARKER, render_reference
from ganlab.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def test_defaults_are_filled():
    name, params = resolve_data_section({"name": "ring", "modes": 5})
    assert name == "ring"
    assert params == {"modes": 5, "radius": 1.0, "std": 0.05, "start_angle": 0.0}


def test_preset_expands_and_keys_override():
    name, params = resolve_data_section({"preset": "ring8_veegan", "std": 0.03})
    assert name == "ring"
    assert params == {"modes": 8, "radius": 1.0, "std": 0.03, "start_angle": 0.0}


def test_preset_with_matching_name():
    name, _ = resolve_data_section({"preset": "grid25_veegan", "name": "grid"})
    assert name == "grid"


def test_preset_with_conflicting_name():
    with pytest.raises(ConfigError, match="conflicts with data.preset"):
        resolve_data_section({"preset": "grid25_veegan", "name": "ring"})


def test_unknown_preset_lists_presets():
    with pytest.raises(ConfigError, match="accepted values: .*ring8_veegan"):
        resolve_data_section({"preset": "ring8"})


def test_missing_name():
    with pytest.raises(ConfigError, match="data.name: missing"):
        resolve_data_section({"radius": 1.0})


def test_unknown_dataset_suggests_name():
    with pytest.raises(ConfigError, match="did you mean 'ring'"):
        make_distribution("rings", {})


def test_unknown_key_names_key_and_accepted():
    with pytest.raises(ConfigError) as info:
        resolve_data_section({"name": "ring", "radious": 2.0})
    message = str(info.value)
    assert message.startswith("data.radious: unknown key")
    assert "data.radius" in message
    assert "modes, radius, start_angle, std" in message


def test_wrong_type():
    with pytest.raises(ConfigError, match="data.modes: expected an integer"):
        make_distribution("ring", {"modes": "eight"})


def test_out_of_range():
    with pytest.raises(ConfigError, match="data.std: value 0.0 is out of range"):
        make_distribution("ring", {"std": 0.0})


def test_inconsistent_lists():
    with pytest.raises(ConfigError, match="data.stds: expected 1 value or 2 values"):
        make_distribution("mixture", {"centers": [[0, 0], [1, 1]], "stds": [0.1, 0.2, 0.3]})
    with pytest.raises(ConfigError, match="data.weights"):
        make_distribution("mixture1d", {"centers": [0.0, 1.0], "weights": [0.0, 0.0]})
    with pytest.raises(ConfigError, match="data.end"):
        make_distribution("line", {"start": [0.0, 0.0], "end": [1.0]})


def test_dataset_fields_lists_declarations():
    names = [field.name for field in dataset_fields("grid")]
    assert names == ["side", "spacing", "std"]


def test_resolved_params_rebuild_same_distribution():
    import torch

    name, params = resolve_data_section({"preset": "25gaussians_wgangp"})
    first = make_distribution(name, params).sample(100, torch.Generator().manual_seed(0))
    again_name, again = resolve_data_section({"name": name, **params})
    second = make_distribution(again_name, again).sample(100, torch.Generator().manual_seed(0))
    assert torch.equal(first, second)


def test_presets_name_registered_datasets():
    for entry in DATA_PRESETS:
        assert entry.obj.dataset in DATASETS
        resolve_data_section({"preset": entry.name})


def test_datasets_doc_is_current():
    text = (REPO / "docs" / "datasets.md").read_text(encoding="utf-8")
    start = text.index(BEGIN_MARKER) + len(BEGIN_MARKER)
    end = text.index(END_MARKER)
    assert text[start:end].strip() == render_reference().strip()


def test_datasets_doc_names_every_dataset_and_preset():
    text = (REPO / "docs" / "datasets.md").read_text(encoding="utf-8")
    for entry in DATASETS:
        assert f"### `{entry.name}`" in text
    for entry in DATA_PRESETS:
        assert f"`{entry.name}`" in text
