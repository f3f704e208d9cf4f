"""The high-dimensional subspace mixture and its 2D projection."""

import math

import numpy as np
import pytest
import torch

from ganlab.data import make_distribution, resolve_data_section

SMALL = {"modes": 6, "dim": 60, "subspace_dim": 20, "spread": 1.0, "std": 0.1, "seed": 3}


@pytest.fixture(scope="module")
def veegan_mixture():
    return make_distribution("mixture_hd", {})


def test_defaults_follow_veegan_sizes():
    _, params = resolve_data_section({"name": "mixture_hd"})
    assert params["modes"] == 10
    assert params["dim"] == 1200
    assert params["subspace_dim"] == 700


def test_projection_is_orthonormal(veegan_mixture):
    projection = veegan_mixture.projection()
    assert projection.shape == (2, 1200)
    np.testing.assert_allclose(projection @ projection.T, np.eye(2), atol=1e-10)


def test_projection_separates_modes(veegan_mixture):
    samples, labels = veegan_mixture.sample_labelled(5000, torch.Generator().manual_seed(1))
    projection = veegan_mixture.projection()
    flat = samples.numpy() @ projection.T
    centres = veegan_mixture.modes.centers @ projection.T
    nearest = ((flat[:, None, :] - centres[None]) ** 2).sum(axis=2).argmin(axis=1)
    assert (nearest == labels.numpy()).mean() > 0.999
    gaps = np.linalg.norm(centres[:, None] - centres[None], axis=2) + np.eye(10) * 1e9
    assert gaps.min() > 6 * 0.1


def test_projection_is_top_principal_plane(veegan_mixture):
    # Independent check: covariance of the ambient centres, which spans the
    # same principal plane as the full covariance because the within-mode
    # covariance is isotropic inside the subspace.
    modes = veegan_mixture.modes
    centred = np.sqrt(modes.weights)[:, None] * (modes.centers - modes.weights @ modes.centers)
    _, values, right = np.linalg.svd(centred, full_matrices=False)
    projection = veegan_mixture.projection()
    cosines = np.linalg.svd(projection @ right[:2].T, compute_uv=False)
    assert cosines.min() > 1 - 1e-9

    # The variance of fresh samples along each row is that eigenvalue plus std².
    samples = veegan_mixture.sample(8000, torch.Generator().manual_seed(2)).numpy()
    flat = samples @ projection.T
    for row in range(2):
        expected = values[row] ** 2 + 0.1**2
        # Mode counts fluctuate, so the tolerance uses the 4th moment of the projections.
        spread = flat[:, row] - flat[:, row].mean()
        tolerance = 5 * math.sqrt((spread**4).mean() / len(flat))
        assert abs(spread.var() - expected) < tolerance


def test_projection_for_two_modes_is_completed():
    mixture = make_distribution("mixture_hd", {**SMALL, "modes": 2})
    projection = mixture.projection()
    np.testing.assert_allclose(projection @ projection.T, np.eye(2), atol=1e-12)
    direction = mixture.modes.centers[1] - mixture.modes.centers[0]
    assert abs(projection[0] @ direction) == pytest.approx(np.linalg.norm(direction))


def test_projection_is_fixed_for_seed():
    first = make_distribution("mixture_hd", SMALL).projection()
    second = make_distribution("mixture_hd", SMALL).projection()
    other = make_distribution("mixture_hd", {**SMALL, "seed": 4}).projection()
    np.testing.assert_array_equal(first, second)
    assert not np.allclose(first, other)


def test_samples_lie_in_subspace():
    mixture = make_distribution("mixture_hd", SMALL)
    samples = mixture.sample(2000, torch.Generator().manual_seed(5)).numpy()
    basis = mixture.basis
    np.testing.assert_allclose(basis.T @ basis, np.eye(20), atol=1e-12)
    residual = samples - (samples @ basis) @ basis.T
    assert np.abs(residual).max() < 1e-10
    assert np.linalg.matrix_rank(samples - samples.mean(axis=0), tol=1e-8) == 20


def test_modes_match_samples():
    mixture = make_distribution("mixture_hd", SMALL)
    samples, _ = mixture.sample_labelled(60_000, torch.Generator().manual_seed(6))
    samples = samples.numpy()
    centres = mixture.modes.centers
    nearest = ((samples[:, None, :] - centres[None]) ** 2).sum(axis=2).argmin(axis=1)
    assert len(mixture.modes) == 6
    for k in range(6):
        members = samples[nearest == k]
        share = len(members) / len(samples)
        assert abs(share - 1 / 6) < 5 * math.sqrt((1 / 6) * (5 / 6) / len(samples))
        stds = mixture.modes.stds[k]
        assert np.all(np.abs(members.mean(axis=0) - centres[k]) < 5 * stds / math.sqrt(len(members)) + 1e-12)
        assert np.all(np.abs(members.std(axis=0) - stds) < 5 * stds / math.sqrt(2 * len(members)))
        # Within-mode spread along the subspace: std² per subspace direction.
        coordinates = (members - centres[k]) @ mixture.basis
        assert abs(coordinates.var(axis=0).mean() - 0.01) < 5 * 0.01 * math.sqrt(2 / (20 * len(members)))


def test_subspace_larger_than_space_rejected():
    from ganlab.errors import ConfigError

    with pytest.raises(ConfigError, match="data.subspace_dim"):
        make_distribution("mixture_hd", {"dim": 10, "subspace_dim": 11})
