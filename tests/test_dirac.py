"""The Dirac GAN: trajectories against hand-iterated recurrences, spectra against closed forms.

Closed forms from Mescheder, Geiger & Nowozin (2018), "Which Training
Methods for GANs do actually Converge?" (Sec. 2 for the unregularized Dirac
GAN and its simultaneous and alternating maps, Sec. 3 for instance noise and
the zero-centred gradient penalties) and, for consensus optimization,
Mescheder, Nowozin & Geiger (2017), "The Numerics of GANs". Each is derived
again below from the 2x2 Jacobian at (θ, ψ) = (0, 0).
For the standard GAN f(t) = −log(1 + e^(−t)), so f′(0) = 1/2, f″(0) = −1/4.
ganlab's D(x) = ψx is a logit for "real", the sign-flipped discriminator of
the paper, which leaves the eigenvalues unchanged.
"""

import cmath
import math

import numpy as np
import pytest

import ganlab
from ganlab.config import load_config
from ganlab.errors import ConfigError
from ganlab.training import Trainer

F1 = 0.5  # f′(0)
F2 = -0.25  # f″(0)
DIRAC = "configs/dirac.toml"


def sigmoid(t):
    return 1.0 / (1.0 + math.exp(-t))


def dirac_run(tmp_path, name, *overrides):
    config = load_config(DIRAC, list(overrides))
    result = Trainer(config, tmp_path / name).run()
    assert result.status == "completed"
    return ganlab.open(result.run_dir)


def recorded_path(traj):
    params = traj.series("params")
    return params["step"], params["generator"][:, 0], params["discriminator"][:, 0]


def recorded_spectrum(traj, row=0):
    series = traj.series("spectrum")
    field = series["field_real"][row] + 1j * series["field_imag"][row]
    update = series["update_real"][row] + 1j * series["update_imag"][row]
    return int(series["step"][row]), np.sort_complex(field), np.sort_complex(update)


def pair(value):
    # The two roots a ± sqrt(b) of a 2x2 characteristic polynomial, sorted like the store.
    return np.sort_complex(np.array(value, dtype=complex))


# Gradients of ganlab's losses for D(x) = ψx, G(z) = θ and data at c, written by hand.
def d_grad_psi(theta, psi, c):
    # L_D = softplus(-ψc) + softplus(ψθ)
    return -c * sigmoid(-psi * c) + theta * sigmoid(psi * theta)


def g_grad_theta(theta, psi, loss):
    if loss == "minimax":  # L_G = -softplus(ψθ)
        return -psi * sigmoid(psi * theta)
    return -psi * sigmoid(-psi * theta)  # non-saturating: L_G = softplus(-ψθ)


@pytest.mark.parametrize("loss", ["minimax", "nonsaturating"])
@pytest.mark.parametrize("scheme", ["simultaneous", "alternating"])
def test_sgd_path_equals_recurrence(tmp_path, scheme, loss):
    h_g, h_d, c = 0.2, 0.15, 0.5
    traj = dirac_run(tmp_path, "run", f"training.scheme={scheme}", f"objective.loss={loss}",
                     "training.steps=120", f"data.position=[{c}]",
                     f"optimizer.generator.lr={h_g}", f"optimizer.discriminator.lr={h_d}",
                     "generator.initial=[1.3]", "discriminator.initial=[0.7]",
                     "record.spectrum_every=0")
    steps, thetas, psis = recorded_path(traj)

    theta, psi = 1.3, 0.7
    expected = [(theta, psi)]
    for _ in range(120):
        if scheme == "simultaneous":
            theta, psi = (theta - h_g * g_grad_theta(theta, psi, loss),
                          psi - h_d * d_grad_psi(theta, psi, c))
        else:
            psi = psi - h_d * d_grad_psi(theta, psi, c)
            theta = theta - h_g * g_grad_theta(theta, psi, loss)
        expected.append((theta, psi))
    expected = np.array(expected)

    assert list(steps) == list(range(121))
    np.testing.assert_allclose(thetas, expected[:, 0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(psis, expected[:, 1], rtol=1e-12, atol=1e-12)


def test_snapshot_samples_are_theta(tmp_path):
    traj = dirac_run(tmp_path, "run", "training.steps=20", "record.spectrum_every=0")
    steps, thetas, _ = recorded_path(traj)
    for index, step in enumerate(traj.steps):
        assert np.allclose(traj.samples[index], thetas[list(steps).index(step)], atol=1e-6)


EQUILIBRIUM = ["generator.initial=[0.0]", "discriminator.initial=[0.0]", "training.steps=2",
               "record.spectrum_every=1"]


def test_unregularized_spectrum(tmp_path):
    h = 0.2
    traj = dirac_run(tmp_path, "run", *EQUILIBRIUM, "training.scheme=simultaneous")
    step, field, update = recorded_spectrum(traj)
    assert step == 0
    np.testing.assert_allclose(field, pair([-1j * F1, 1j * F1]), atol=1e-6)
    np.testing.assert_allclose(update, pair([1 - 1j * h * F1, 1 + 1j * h * F1]), atol=1e-6)


@pytest.mark.parametrize("method", ["r1", "r2"])
@pytest.mark.parametrize("gamma", [0.3, 3.0])
def test_gradient_penalty_spectrum(tmp_path, method, gamma):
    traj = dirac_run(tmp_path, "run", *EQUILIBRIUM, f"regularizer.names=['{method}']",
                     f"regularizer.{method}.gamma={gamma}")
    _, field, _ = recorded_spectrum(traj)
    root = cmath.sqrt(gamma**2 / 4 - F1**2)
    expected = pair([-gamma / 2 - root, -gamma / 2 + root])
    np.testing.assert_allclose(field, expected, atol=1e-6)


def test_consensus_spectrum(tmp_path):
    gamma = 0.8
    traj = dirac_run(tmp_path, "run", *EQUILIBRIUM, "regularizer.names=['consensus']",
                     f"regularizer.consensus.gamma={gamma}", "training.scheme=simultaneous")
    _, field, _ = recorded_spectrum(traj)
    expected = pair([-gamma * F1**2 - 1j * F1, -gamma * F1**2 + 1j * F1])
    np.testing.assert_allclose(field, expected, atol=1e-6)


def test_instance_noise_spectrum(tmp_path):
    # The recorded Jacobian averages over N = batch_size x spectrum_batches noise draws per
    # input. At (0, 0) only its ψψ entry depends on the noise: it is -(m_real + m_fake) / 4
    # with m the mean of N squared N(0, σ²) draws, so its standard deviation is
    # sqrt(2 · 2σ⁴/N) / 4 = σ² / (2 sqrt N). Each eigenvalue a ± sqrt(a² − f′²), a = J_ψψ/2,
    # moves by at most |dJ_ψψ| (1/2 + |a| / (2 sqrt(f′² − a²))) for complex roots.
    sigma, batch, batches = 0.6, 4096, 4
    traj = dirac_run(tmp_path, "run", *EQUILIBRIUM, "regularizer.names=['instance_noise']",
                     f"regularizer.instance_noise.std={sigma}", f"training.batch_size={batch}",
                     f"record.spectrum_batches={batches}", "record.samples=4",
                     "record.real=4")
    _, field, _ = recorded_spectrum(traj)
    a = F2 * sigma**2
    root = cmath.sqrt(F2**2 * sigma**4 - F1**2)
    expected = pair([a - root, a + root])
    entry_std = sigma**2 / (2 * math.sqrt(batch * batches))
    tolerance = 5 * entry_std * (0.5 + abs(a) / (2 * math.sqrt(F1**2 - a**2)))
    assert np.max(np.abs(field - expected)) < tolerance
    # The noise pulls both eigenvalues into the left half-plane.
    assert np.all(field.real < 0)


def alternating_eigenvalues(h_g, h_d, jacobian, d_steps):
    # Hand-written 2x2 maps: d_steps discriminator steps ψ += h_D v_ψ, then θ += h_G v_θ.
    (a, b), (c, d) = jacobian
    discriminator_step = np.array([[1.0, 0.0], [h_d * c, 1.0 + h_d * d]])
    generator_step = np.array([[1.0 + h_g * a, h_g * b], [0.0, 1.0]])
    total = np.eye(2)
    for _ in range(d_steps):
        total = discriminator_step @ total
    return np.sort_complex(np.linalg.eigvals(generator_step @ total))


@pytest.mark.parametrize("h", [0.2, 1.0])
def test_alternating_update_spectrum(tmp_path, h):
    traj = dirac_run(tmp_path, "run", *EQUILIBRIUM, "training.scheme=alternating",
                     f"optimizer.lr={h}")
    _, _, update = recorded_spectrum(traj)
    alpha = h * F1
    middle = 1 - alpha**2 / 2
    root = cmath.sqrt(middle**2 - 1)
    np.testing.assert_allclose(update, pair([middle - root, middle + root]), atol=1e-6)
    np.testing.assert_allclose(np.abs(update), [1.0, 1.0], atol=1e-6)
    # Second derivation: the product of the players' 2x2 update maps, J = [[0, f′], [−f′, 0]].
    np.testing.assert_allclose(update, alternating_eigenvalues(h, h, [[0, F1], [-F1, 0]], 1),
                               atol=1e-6)


def test_alternating_r1_two_discriminator_steps(tmp_path):
    gamma, h_g, h_d = 0.5, 0.3, 0.1
    traj = dirac_run(tmp_path, "run", *EQUILIBRIUM, "training.scheme=alternating",
                     "training.d_steps=2", "regularizer.names=['r1']",
                     f"regularizer.r1.gamma={gamma}", f"optimizer.generator.lr={h_g}",
                     f"optimizer.discriminator.lr={h_d}")
    _, _, update = recorded_spectrum(traj)
    expected = alternating_eigenvalues(h_g, h_d, [[0, F1], [-F1, -gamma]], 2)
    np.testing.assert_allclose(update, expected, atol=1e-6)


def test_extragradient_update_spectrum(tmp_path):
    h = 0.4
    traj = dirac_run(tmp_path, "run", *EQUILIBRIUM, "training.scheme=extragradient",
                     f"optimizer.lr={h}")
    _, _, update = recorded_spectrum(traj)
    # φ + hv(φ + hv(φ)) with v = Jφ, J having eigenvalues ±i f′: 1 + hλ + (hλ)².
    expected = pair([1 + h * lam + (h * lam) ** 2 for lam in (1j * F1, -1j * F1)])
    np.testing.assert_allclose(update, expected, atol=1e-6)


def test_equilibrium_is_stationary(tmp_path):
    traj = dirac_run(tmp_path, "run", *EQUILIBRIUM)
    _, thetas, psis = recorded_path(traj)
    assert np.all(thetas == 0.0)
    assert np.all(psis == 0.0)


def test_quadratic_and_bias_parameters(tmp_path):
    traj = dirac_run(tmp_path, "run", "discriminator.kind=quadratic", "discriminator.bias=true",
                     "discriminator.initial=[0.5, -0.25, 0.125]", "training.steps=3")
    params = traj.series("params")
    assert params["discriminator"].shape == (4, 3)
    np.testing.assert_array_equal(params["discriminator"][0], [0.5, -0.25, 0.125])
    assert traj.attrs["dynamics"]["labels"] == ["generator.theta", "discriminator.psi",
                                                "discriminator.psi2", "discriminator.bias"]
    series = traj.series("spectrum")
    # The preset records the spectrum every 5 steps; the last step is always recorded.
    assert list(series["step"]) == [0, 3]
    assert series["field_real"].shape == (2, 4)


def test_initial_values_wrong_length(tmp_path):
    config = load_config(DIRAC, ["discriminator.initial=[1.0, 2.0]"])
    with pytest.raises(ConfigError, match="discriminator.initial"):
        Trainer(config, tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_spectrum_limit_rejects_large_model(tmp_path):
    config = load_config("ring8", ["record.spectrum_every=10", "record.spectrum_limit=100",
                                   "generator.hidden=16", "discriminator.hidden=16"])
    with pytest.raises(ConfigError, match="record.spectrum_limit"):
        Trainer(config, tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_overflowing_parameters_end_as_diverged(tmp_path):
    # ψ overflows to -inf in the first step while that step's losses are still finite, so
    # the spectrum of step 1 sees infinite parameters before the loop detects divergence.
    config = load_config(DIRAC, ["training.steps=3", "record.spectrum_every=1",
                                 "generator.initial=[1e300]", "optimizer.lr=1e10"])
    with np.errstate(all="ignore"):
        result = Trainer(config, tmp_path / "run").run()
    assert result.status == "diverged"
    series = ganlab.open(result.run_dir).series("spectrum")
    assert list(series["step"]) == [0, 1]
    assert np.all(np.isnan(series["field_real"][1]))
