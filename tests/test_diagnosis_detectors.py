"""Detectors on synthetic trajectories whose ground truth is known by construction."""

import json
import math

import numpy as np
import pytest

from ganlab.diagnosis import diagnose, phases_for_plot
from ganlab.errors import ConfigError
from ganlab.trajectory import Trajectory

RADIUS, STD, MODES = 2.0, 0.05, 8
ANGLES = np.arange(MODES) * 2 * np.pi / MODES
CENTERS = np.stack([RADIUS * np.cos(ANGLES), RADIUS * np.sin(ANGLES)], axis=1)
GRID = np.linspace(-3.0, 3.0, 24)


def ring_points(rng, count, modes=None):
    modes = np.arange(MODES) if modes is None else np.asarray(modes)
    labels = modes[rng.integers(0, len(modes), count)]
    return CENTERS[labels] + STD * rng.standard_normal((count, 2))


def build_run(sample_at, count=40, every=100, real=None, surface_at=None, scalars=None,
              attrs=None, with_modes=True, samples=256, seed=0):
    """Return an in-memory Trajectory: ``sample_at(t, rng)`` gives snapshot t's samples."""
    rng = np.random.default_rng(seed)
    steps = np.arange(count) * every
    if real is None:
        real = ring_points(rng, 1024)
    static = {"real": real, "grid_x": GRID, "grid_y": GRID}
    if with_modes:
        static["mode_centers"] = CENTERS
        static["mode_stds"] = np.full((MODES, 2), STD)
        static["mode_weights"] = np.full(MODES, 1 / MODES)
    snapshot_rows = np.stack([sample_at(t, rng) for t in range(count)])
    series = {"": {"steps": steps, "samples": snapshot_rows}}
    if surface_at is not None:
        series[""]["discriminator"] = np.stack([surface_at(t) for t in range(count)])
    if scalars is not None:
        series["scalars"] = scalars
    run_attrs = {"status": "completed", "dim": 2}
    run_attrs.update(attrs or {})
    return Trajectory.from_arrays(run_attrs, static, series)


def calm_surface(t):
    return np.full((len(GRID), len(GRID)), 0.3)


def test_converged_run_has_no_failure_labels():
    traj = build_run(lambda t, rng: ring_points(rng, 256), surface_at=calm_surface)
    result = diagnose(traj)
    assert result.verdict == "convergence"
    assert result.labels() == ["convergence"]
    assert result.findings[0].start_step == 0


def test_collapse_on_one_mode():
    traj = build_run(lambda t, rng: ring_points(rng, 256, modes=[3]))
    result = diagnose(traj)
    collapse = result.by_label("mode collapse")
    assert result.verdict == "mode collapse"
    assert len(collapse) == 1
    assert collapse[0].evidence["modes"] == [3]
    assert collapse[0].start_step == 0
    assert collapse[0].end_step == 3900
    assert "mode hopping" not in result.labels()
    assert "convergence" not in result.labels()
    assert "1 of 8 modes occupied (mode 3)" in collapse[0].summary


def test_collapse_after_convergence_starts_at_the_right_step():
    def sample_at(t, rng):
        return ring_points(rng, 256) if t < 20 else ring_points(rng, 256, modes=[5])

    result = diagnose(build_run(sample_at))
    collapse = result.by_label("mode collapse")
    assert len(collapse) == 1
    assert collapse[0].start_step == 2000
    assert collapse[0].evidence["modes"] == [5]


def test_rotating_mode_is_hopping_with_known_hop_steps():
    # The occupied mode advances every 5 snapshots (500 generator steps).
    traj = build_run(lambda t, rng: ring_points(rng, 256, modes=[(t // 5) % MODES]))
    result = diagnose(traj)
    hopping = result.by_label("mode hopping")
    assert result.verdict == "mode hopping"
    assert len(hopping) == 1
    assert hopping[0].evidence["hop_steps"] == [500, 1000, 1500, 2000, 2500, 3000, 3500]
    assert hopping[0].evidence["sequence"] == [[k] for k in range(MODES)]
    assert hopping[0].evidence["hops_per_1000_steps"] == pytest.approx(7 / 3900 * 1000)
    assert "mode collapse" not in result.labels()


def test_long_stay_before_hopping_is_collapse():
    def sample_at(t, rng):
        mode = 0 if t < 20 else 1 + (t - 20) // 3
        return ring_points(rng, 256, modes=[mode % MODES])

    result = diagnose(build_run(sample_at, count=38))
    collapse = result.by_label("mode collapse")
    hopping = result.by_label("mode hopping")
    assert [f.evidence["modes"] for f in collapse] == [[0]]
    assert collapse[0].end_step == 1900
    assert len(hopping) == 1
    assert hopping[0].evidence["hop_steps"][0] == 2300


def gaussian_run(offset_at, count=200, every=50, seed=1):
    rng = np.random.default_rng(seed)
    real = rng.standard_normal((1024, 2))

    def sample_at(t, rng):
        return rng.standard_normal((256, 2)) + np.array([offset_at(t * every), 0.0])

    return build_run(sample_at, count=count, every=every, real=real, with_modes=False, seed=seed)


def test_undamped_oscillation_period():
    period = 1000.0
    traj = gaussian_run(lambda step: 1.5 * math.cos(2 * math.pi * step / period))
    result = diagnose(traj)
    found = result.by_label("oscillation")
    assert len(found) == 1
    assert found[0].evidence["kind"] == "undamped"
    assert found[0].evidence["signal"] == "mean_x"
    assert found[0].evidence["period_steps"] == pytest.approx(period, rel=0.05)
    assert result.verdict == "oscillation"


def test_damped_oscillation_period_and_decay():
    period, tau = 1000.0, 3000.0
    traj = gaussian_run(lambda step: 3.0 * math.exp(-step / tau) * math.cos(2 * math.pi * step / period))
    result = diagnose(traj)
    found = result.by_label("oscillation")
    assert len(found) == 1
    evidence = found[0].evidence
    assert evidence["kind"] == "damped"
    assert evidence["period_steps"] == pytest.approx(period, rel=0.05)
    # The envelope of the sample mean decays as exp(-step / tau) until it
    # reaches the sampling noise of the mean (about 1 / sqrt(256)), which
    # flattens the fit, so the measured rate is at most the true one.
    assert 0.4 / tau * 1000 < evidence["decay_rate_per_1000_steps"] <= 1.1 / tau * 1000
    assert result.verdict == "convergence"


def test_clean_gaussian_run_has_no_oscillation():
    result = diagnose(gaussian_run(lambda step: 0.0))
    assert result.labels() == ["convergence"]


def test_nan_at_known_step_is_divergence():
    def sample_at(t, rng):
        points = ring_points(rng, 256)
        if t >= 17:
            points[4] = np.nan
        return points

    result = diagnose(build_run(sample_at))
    found = result.by_label("divergence")
    assert result.verdict == "divergence"
    assert found[0].start_step == 1700
    assert found[0].evidence["term"] == "samples"


def test_nan_in_loss_scalar_names_the_term():
    steps = np.arange(0, 4000, 10)
    loss = np.ones(len(steps))
    loss[123:] = np.inf
    scalars = {"step": steps, "d_loss": loss, "g_loss": np.ones(len(steps))}
    result = diagnose(build_run(lambda t, rng: ring_points(rng, 256), scalars=scalars))
    found = result.by_label("divergence")
    assert found[0].start_step == 1230
    assert found[0].evidence["term"] == "d_loss"


def test_diverged_status_is_read():
    attrs = {"status": "diverged", "status_detail": {"step": 2345, "term": "g_loss"}}
    result = diagnose(build_run(lambda t, rng: ring_points(rng, 256), attrs=attrs))
    found = result.by_label("divergence")
    assert result.verdict == "divergence"
    assert found[0].start_step == 2345
    assert found[0].evidence["term"] == "g_loss"


def test_frozen_generator_with_saturated_discriminator():
    frozen = 0.3 * np.random.default_rng(5).standard_normal((256, 2)) + np.array([0.0, 4.0])

    def saturated_surface(t):
        return np.full((len(GRID), len(GRID)), -12.0)

    steps = np.arange(0, 4000, 10)
    scalars = {"step": steps, "g_grad_norm": np.full(len(steps), 1e-7)}
    traj = build_run(lambda t, rng: frozen.copy(), surface_at=saturated_surface, scalars=scalars)
    result = diagnose(traj)
    found = result.by_label("vanishing gradients")
    assert result.verdict == "vanishing gradients"
    assert len(found) == 1
    assert found[0].start_step == 0
    assert found[0].end_step == 3900
    assert found[0].evidence["saturated_share"] == 1.0
    assert found[0].evidence["displacement_per_1000_steps"] == 0.0
    assert found[0].evidence["generator_grad_norm"] == pytest.approx(1e-7)


def test_converged_run_with_saturated_surface_is_not_vanishing():
    # A sharp discriminator alone is not the failure: the generator matches the data.
    def saturated_surface(t):
        return np.full((len(GRID), len(GRID)), 12.0)

    result = diagnose(build_run(lambda t, rng: ring_points(rng, 256), surface_at=saturated_surface))
    assert "vanishing gradients" not in result.labels()
    assert result.verdict == "convergence"


def test_json_is_deterministic_and_parseable():
    traj = build_run(lambda t, rng: ring_points(rng, 256, modes=[(t // 5) % MODES]))
    first = diagnose(traj).to_json()
    second = diagnose(traj).to_json()
    assert first == second
    data = json.loads(first)
    assert data["verdict"] == "mode hopping"
    assert data["findings"][0]["label"] == "mode hopping"


def test_text_report_and_phases():
    result = diagnose(build_run(lambda t, rng: ring_points(rng, 256, modes=[3])))
    text = result.to_text()
    assert text.splitlines()[1] == "verdict: mode collapse, steps 0–3900 (run: steps 0–3900)"
    assert "mode collapse: steps 0–3900, 1 of 8 modes occupied (mode 3)" in text
    assert ("mode collapse", 0, 3900) in phases_for_plot(result)


def test_verdict_line_gives_the_deciding_span():
    # All eight modes for 20 snapshots, then one mode: the collapse starts mid-run.
    every_mode = list(range(8))
    result = diagnose(build_run(lambda t, rng: ring_points(rng, 256,
                                                           modes=every_mode if t < 20 else [3])))
    collapse = result.by_label("mode collapse")
    assert result.verdict == "mode collapse"
    assert len(collapse) == 1
    start, end = collapse[0].start_step, collapse[0].end_step
    assert start >= 20 * 100
    header = result.to_text().splitlines()[1]
    assert header == f"verdict: mode collapse, steps {start}–{end} (run: steps 0–{end})"


def test_threshold_override_changes_result():
    # With 8 snapshots per stay required, a stay of 5 is no collapse.
    traj = build_run(lambda t, rng: ring_points(rng, 256, modes=[3]), count=6)
    assert "mode collapse" in diagnose(traj).labels()
    assert "mode collapse" not in diagnose(traj, collapse_min_snapshots=8).labels()


def test_unknown_threshold_is_config_error():
    traj = build_run(lambda t, rng: ring_points(rng, 256), count=5)
    with pytest.raises(ConfigError, match="unknown key"):
        diagnose(traj, colapse_min_snapshots=3)


def test_recorded_metrics_are_used():
    traj = build_run(lambda t, rng: ring_points(rng, 256))
    steps = traj.steps
    # Recorded metrics claim every snapshot is off the data; the diagnosis
    # must read them rather than recompute.
    metrics = {"step": steps, "w2": np.full(len(steps), 50.0), "modes_covered": np.zeros(len(steps)),
               "high_quality": np.zeros(len(steps)), "reverse_kl": np.full(len(steps), np.nan)}
    recorded = Trajectory.from_arrays(
        traj.attrs, {name: traj.static(name) for name in traj.reader.static_names()},
        {"": traj.series(""), "metrics": metrics},
    )
    result = diagnose(recorded)
    assert result.verdict == "non-convergence"
    assert "high_quality" in result.by_label("non-convergence")[0].evidence["failed_criteria"]
