"""Tests of the replay page's HTML and embedded data, read back without a browser.

The page's data is decoded here with base64, zlib and numpy, a second
implementation next to the page's own JavaScript decoder.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import sys
import types
import zlib

import numpy as np
import pytest

from ganlab.errors import StoreNotFoundError, UsageError
from ganlab.render.replay_encode import align_timeline, select_snapshots
from replay_fixtures import INJECTION_TEXT as INJECTION
from replay_fixtures import make_trajectory, render, make_trajectory_1d, slope


def read_page(path):
    text = path.read_text(encoding="utf-8")
    data_text = re.search(r'<script type="application/json" id="replay-data">(.*?)</script>',
                          text, re.S).group(1)
    blob_text = re.search(r'<script type="application/octet-stream" id="replay-blob">(.*?)</script>',
                          text, re.S).group(1)
    document = json.loads(data_text)
    raw = base64.b64decode(blob_text)
    buffer = zlib.decompress(raw) if document["compressed"] else raw
    return text, document, buffer


def array(buffer, desc):
    dtype = np.dtype(desc["dtype"]).newbyteorder("<")
    count = int(np.prod(desc["shape"]))
    return np.frombuffer(buffer, dtype=dtype, count=count, offset=desc["offset"]).reshape(
        desc["shape"])


def sigmoid(value):
    return 1.0 / (1.0 + np.exp(-value))


def test_samples_round_trip_exactly(tmp_path):
    traj = make_trajectory()
    _, document, buffer = read_page(render(traj, tmp_path / "run.html"))
    run = document["runs"][0]

    decoded = array(buffer, run["samples"])

    np.testing.assert_array_equal(decoded, traj.samples.astype(np.float32))
    assert run["steps"] == [int(step) for step in traj.steps]


def test_surface_is_sigmoid_of_logit(tmp_path):
    traj = make_trajectory(loss="nonsaturating")
    _, document, buffer = read_page(render(traj, tmp_path / "run.html"))
    run = document["runs"][0]

    codes = array(buffer, run["surface"]).astype(float)
    low = np.asarray(run["surface"]["low"])[:, None, None]
    high = np.asarray(run["surface"]["high"])[:, None, None]
    decoded = low + codes / 255.0 * (high - low)
    xx, yy = np.meshgrid(traj.grid_x, traj.grid_y)
    expected = np.stack([sigmoid(slope(t, len(traj)) * (xx - yy)) for t in range(len(traj))])

    assert run["valueKind"] == "probability"
    assert np.max(np.abs(decoded - expected)) <= 0.5 / 255 + 1e-6


def test_wasserstein_surface_is_raw_critic(tmp_path):
    traj = make_trajectory(loss="wasserstein")
    _, document, buffer = read_page(render(traj, tmp_path / "run.html"))
    run = document["runs"][0]

    codes = array(buffer, run["surface"]).astype(float)
    low = np.asarray(run["surface"]["low"])[:, None, None]
    high = np.asarray(run["surface"]["high"])[:, None, None]
    decoded = low + codes / 255.0 * (high - low)
    span = (high - low).max()

    assert run["valueKind"] == "critic"
    assert np.max(np.abs(decoded - traj.discriminator)) <= 0.5 * span / 255 + 1e-5


def test_field_and_manifold_quantization(tmp_path):
    traj = make_trajectory()
    _, document, buffer = read_page(render(traj, tmp_path / "run.html"))
    run = document["runs"][0]

    field_codes = array(buffer, run["field"]).astype(float)
    scale = np.asarray(run["field"]["scale"])[:, None, None, None]
    field = field_codes / 127.0 * scale
    manifold_codes = array(buffer, run["manifold"]).astype(float)
    low = np.asarray(run["manifold"]["low"])
    high = np.asarray(run["manifold"]["high"])
    manifold = low + manifold_codes / 65535.0 * (high - low)

    assert np.max(np.abs(field - traj.field)) <= 0.5 * scale.max() / 127 + 1e-6
    assert np.max(np.abs(manifold - traj.manifold)) <= 0.5 * (high - low).max() / 65535 + 1e-6
    assert run["manifold"]["grid"] == [6, 5]


def test_curves_round_trip(tmp_path):
    traj = make_trajectory()
    _, document, buffer = read_page(render(traj, tmp_path / "run.html"))
    scalars = document["runs"][0]["scalars"]

    loss_d = array(buffer, scalars["curves"]["loss_d"]["values"])
    steps = array(buffer, scalars["curves"]["loss_d"]["steps"])

    assert scalars["names"] == ["loss_d", "loss_g"]
    np.testing.assert_allclose(loss_d, traj.scalars["loss_d"], rtol=1e-6)
    np.testing.assert_array_equal(steps, traj.scalars["step"])
    assert document["runs"][0]["metrics"]["names"] == ["modes_covered"]


def test_long_curves_are_binned_with_notice(tmp_path):
    traj = make_trajectory(count=20, step_every=100)
    text, document, buffer = read_page(
        render(traj, tmp_path / "run.html", max_curve_points=50))
    curve = document["runs"][0]["scalars"]["curves"]["loss_d"]
    values = array(buffer, curve["values"])
    steps = array(buffer, curve["steps"])
    full = traj.scalars["loss_d"]
    first_bin = full[: len(full) // 50]

    assert len(values) == 50
    assert np.isclose(values[0], first_bin.mean(), rtol=1e-5)
    assert np.isclose(steps[0], traj.scalars["step"][: len(full) // 50].mean())
    assert "averaged over equal bins" in text


def test_uncompressed_page_decodes(tmp_path):
    traj = make_trajectory()
    _, document, buffer = read_page(render(traj, tmp_path / "run.html", compress=False))

    assert document["compressed"] is False
    np.testing.assert_array_equal(array(buffer, document["runs"][0]["samples"]), traj.samples)


def test_size_budget_200_snapshots(tmp_path):
    traj = make_trajectory(count=200, samples=512, grid=128, noise=0.02)
    path = render(traj, tmp_path / "big.html")

    size = path.stat().st_size

    assert size <= 5_000_000, f"replay page is {size / 1e6:.2f} MB"


def test_long_run_is_subsampled_with_notice(tmp_path):
    traj = make_trajectory(count=600, samples=32, grid=16)
    text, document, _ = read_page(render(traj, tmp_path / "long.html", max_snapshots=300))
    steps = document["runs"][0]["steps"]

    assert len(steps) == 300
    assert steps[0] == int(traj.steps[0])
    assert steps[-1] == int(traj.steps[-1])
    assert np.ptp(np.diff(steps)) <= 10  # evenly spaced up to rounding of one snapshot
    assert "showing 300 of 600 snapshots" in text


def test_select_snapshots_keeps_short_runs():
    assert select_snapshots(5, 300).tolist() == [0, 1, 2, 3, 4]
    picked = select_snapshots(1000, 7)
    gaps = np.diff(picked)
    assert len(picked) == 7
    assert picked[0] == 0
    assert picked[-1] == 999
    assert gaps.max() - gaps.min() <= 1


def test_align_timeline_nearest_step():
    steps_a = [0, 10, 20, 30]
    steps_b = [0, 7, 14, 21, 28]

    timeline, frames = align_timeline([steps_a, steps_b])

    assert timeline == sorted(set(steps_a) | set(steps_b))
    for steps, frame_of_tick in zip([steps_a, steps_b], frames):
        for tick, step in enumerate(timeline):
            distances = [abs(own - step) for own in steps]
            assert distances[frame_of_tick[tick]] == min(distances)


def test_config_injection_is_escaped(tmp_path):
    traj = make_trajectory(name=INJECTION, config_extra={"note": INJECTION})
    text, document, _ = read_page(render(traj, tmp_path / "evil.html"))

    pre_blocks = re.findall(r"<pre>(.*?)</pre>", text, re.S)

    assert text.count("<script") == 3
    assert "alert(1)</script>" not in text
    assert "<b>bold</b>" not in text
    assert INJECTION in html.unescape(pre_blocks[0])
    assert document["runs"][0]["name"] == INJECTION
    assert INJECTION in document["title"]


def test_policy_allows_exactly_the_inline_script(tmp_path):
    text, _, _ = read_page(render(make_trajectory(), tmp_path / "run.html"))
    script = re.search(r"<script>(.*?)</script>", text, re.S).group(1)
    style = re.search(r"<style>(.*?)</style>", text, re.S).group(1)
    policy = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"',
                                     text).group(1))

    def digest(value):
        return base64.b64encode(hashlib.sha256(value.encode()).digest()).decode()

    assert f"script-src 'sha256-{digest(script)}'" in policy
    assert f"style-src 'sha256-{digest(style)}'" in policy
    assert "connect-src 'none'" in policy
    assert "default-src 'none'" in policy


def test_page_references_no_external_resource(tmp_path):
    text, _, _ = read_page(render(make_trajectory(), tmp_path / "run.html"))

    assert re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", text) is None
    assert "fetch(" not in text
    assert "XMLHttpRequest" not in text
    assert "@import" not in text


def test_one_dimensional_run(tmp_path):
    traj = make_trajectory_1d()
    text, document, buffer = read_page(render(traj, tmp_path / "run1d.html"))
    run = document["runs"][0]

    assert run["dim"] == 1
    assert run["valueKind"] == "critic"
    assert "gridY" not in run
    assert array(buffer, run["surface"]).shape == traj.discriminator.shape
    assert "diverged" in text


def test_phases_option_and_diagnosis(tmp_path, monkeypatch):
    traj = make_trajectory()
    _, document, _ = read_page(render(traj, tmp_path / "a.html",
                                             phases=[("collapse", 0, 40)]))
    assert document["runs"][0]["phases"] == [["collapse", 0.0, 40.0]]

    module = types.ModuleType("ganlab.diagnosis")
    module.diagnose = lambda trajectory: [{"label": "oscillation", "start": 10, "end": 60}]
    monkeypatch.setitem(sys.modules, "ganlab.diagnosis", module)
    _, document, _ = read_page(render(traj, tmp_path / "b.html", diagnose=True))
    assert document["runs"][0]["phases"] == [["oscillation", 10.0, 60.0]]


def test_diagnosis_findings_become_phases(tmp_path):
    diagnosis = pytest.importorskip("ganlab.diagnosis")
    traj = make_trajectory()
    findings = diagnosis.diagnose(traj).findings

    _, document, _ = read_page(render(traj, tmp_path / "d.html", diagnose=True))

    assert len(findings) > 0
    assert document["runs"][0]["phases"] == [
        [finding.label, float(finding.start_step), float(finding.end_step)] for finding in findings
    ]


def test_failing_diagnosis_draws_no_phases(tmp_path, monkeypatch):
    def diagnose(trajectory):
        raise RuntimeError("diagnosis broke")

    module = types.ModuleType("ganlab.diagnosis")
    module.diagnose = diagnose
    monkeypatch.setitem(sys.modules, "ganlab.diagnosis", module)
    _, document, _ = read_page(render(make_trajectory(), tmp_path / "c.html", diagnose=True))

    assert document["runs"][0]["phases"] == []


def test_several_runs_share_one_timeline(tmp_path):
    first = make_trajectory(name="a", step_every=10)
    second = make_trajectory(name="b", step_every=7, loss="wasserstein")
    _, document, _ = read_page(render([first, second], tmp_path / "sweep.html"))

    assert [run["name"] for run in document["runs"]] == ["a", "b"]
    assert document["timeline"] == sorted(set(first.steps.tolist()) | set(second.steps.tolist()))
    assert len(document["runs"][1]["frameOfTick"]) == len(document["timeline"])


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"max_snapshots": 1}, "max_snapshots"),
        ({"max_curve_points": 0}, "max_curve_points"),
        ({"layers": ["surface", "heatmap"]}, "heatmap"),
        ({"names": ["a", "b"]}, "names has 2 entries"),
        ({"colormap": "no-such-map"}, "no-such-map"),
        ({"phases": [("collapse", "start", 3)]}, "invalid phase"),
    ],
)
def test_invalid_options_raise_usage_error(tmp_path, kwargs, fragment):
    with pytest.raises(UsageError, match=fragment):
        render(make_trajectory(), tmp_path / "x.html", **kwargs)


def test_invalid_inputs_raise_usage_error(tmp_path):
    with pytest.raises(UsageError, match="at least one trajectory"):
        render([], tmp_path / "x.html")
    with pytest.raises(UsageError, match="item 0 is a int"):
        render([3], tmp_path / "x.html")
    with pytest.raises(StoreNotFoundError, match="does not exist"):
        render(tmp_path / "missing-run", tmp_path / "x.html")
    with pytest.raises(UsageError, match="neither a run nor a sweep directory"):
        render(tmp_path, tmp_path / "x.html")
    assert not (tmp_path / "x.html").exists()


def test_registered_as_render_kind(tmp_path):
    from ganlab.render import RENDER_KINDS, render as render_kind

    path = render_kind(make_trajectory(), "replay", tmp_path / "kind.html", diagnose=False)
    text, document, _ = read_page(path)

    assert RENDER_KINDS.get("replay").extra["multi_run"] is True
    assert document["runs"][0]["name"] == "ring-run"
    assert text.startswith("<!DOCTYPE html>")
