"""The game vector field on a plane and the principal components of parameter paths."""

import math

import numpy as np
import pytest

from ganlab.config import load_config
from ganlab.dynamics.field import field_from_config, field_on_plane
from ganlab.dynamics.params import parameter_path, principal_components
from ganlab.errors import UsageError
from ganlab.trajectory import Trajectory


def sigmoid(t):
    return 1.0 / (1.0 + math.exp(-t))


def test_dirac_field_matches_closed_form():
    c, gamma = 0.5, 0.7
    config = load_config("configs/dirac.toml", [f"data.position=[{c}]", "regularizer.names=['r1']",
                                                f"regularizer.r1.gamma={gamma}"])
    xs = np.linspace(-2, 2, 5)
    ys = np.linspace(-1.5, 1.5, 4)
    u, w = field_on_plane(field_from_config(config), np.zeros(2), np.eye(2), xs, ys)
    for row, psi in enumerate(ys):
        for column, theta in enumerate(xs):
            # Minimax GAN with D(x) = ψx: L_G = −softplus(ψθ), L_D = softplus(−ψc) +
            # softplus(ψθ) + γ/2 ψ² (R1, since ∇ₓD = ψ).
            v_theta = psi * sigmoid(psi * theta)
            v_psi = c * sigmoid(-psi * c) - theta * sigmoid(psi * theta) - gamma * psi
            assert u[row, column] == pytest.approx(v_theta, abs=1e-12)
            assert w[row, column] == pytest.approx(v_psi, abs=1e-12)


def test_field_projected_on_rotated_plane():
    config = load_config("configs/dirac.toml", ["discriminator.kind=quadratic"])
    field = field_from_config(config)
    rng = np.random.default_rng(3)
    basis, _ = np.linalg.qr(rng.normal(size=(3, 2)))
    basis = basis.T
    origin = np.array([0.2, -0.4, 0.3])
    u, w = field_on_plane(field, origin, basis, np.array([0.5]), np.array([-0.25]))
    theta, psi, psi2 = origin + 0.5 * basis[0] - 0.25 * basis[1]
    # D(x) = ψx + ψ₂x² with data at 0: L_D = log 2 + softplus(ψθ + ψ₂θ²).
    s = sigmoid(psi * theta + psi2 * theta**2)
    v = np.array([(psi + 2 * psi2 * theta) * s, -theta * s, -theta**2 * s])
    assert u[0, 0] == pytest.approx(basis[0] @ v, abs=1e-12)
    assert w[0, 0] == pytest.approx(basis[1] @ v, abs=1e-12)


def path_trajectory(values, generator_size):
    steps = np.arange(len(values))
    series = {"params": {"step": steps, "generator": values[:, :generator_size],
                         "discriminator": values[:, generator_size:]}}
    return Trajectory.from_arrays({}, {}, series)


def test_components_of_circle_in_plane():
    # A circle of radius 2 in a random plane of R^10 around a random centre.
    rng = np.random.default_rng(0)
    plane, _ = np.linalg.qr(rng.normal(size=(10, 2)))
    centre = rng.normal(size=10)
    angles = np.linspace(0, 2 * np.pi, 400, endpoint=False)
    values = centre + 2 * (np.cos(angles)[:, None] * plane[:, 0] + np.sin(angles)[:, None] * plane[:, 1])
    path = parameter_path(path_trajectory(values, 4))
    components = principal_components(path.values, 3)

    np.testing.assert_allclose(components.mean, centre, atol=1e-12)
    np.testing.assert_allclose(components.explained[:2], [0.5, 0.5], atol=1e-9)
    assert components.explained[2] < 1e-20
    np.testing.assert_allclose(np.linalg.norm(components.projected[:, :2], axis=1), 2.0, atol=1e-9)
    # The first two components span the circle's plane.
    spanned = components.components[:2] @ plane
    np.testing.assert_allclose(np.abs(np.linalg.det(spanned)), 1.0, atol=1e-9)
    np.testing.assert_allclose(components.lift(components.projected[:, :2]), values, atol=1e-9)


def test_converging_path_has_one_direction():
    direction = np.array([3.0, -4.0, 0.0]) / 5
    values = np.exp(-np.arange(50) / 10)[:, None] * direction
    components = principal_components(values, 2)
    assert components.explained[0] == pytest.approx(1.0)
    np.testing.assert_allclose(np.abs(components.components[0]), np.abs(direction), atol=1e-12)


def test_path_skips_nonfinite_rows():
    values = np.array([[1.0, 2.0], [np.nan, 1.0], [2.0, 3.0]])
    path = parameter_path(path_trajectory(values, 1))
    assert list(path.steps) == [0, 2]


def test_missing_params_series():
    traj = Trajectory.from_arrays({}, {}, {"scalars": {"step": np.arange(3), "d_loss": np.zeros(3)}})
    with pytest.raises(UsageError, match="record.params_every"):
        parameter_path(traj)
