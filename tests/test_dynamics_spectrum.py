"""The game Jacobian of a small MLP game against finite differences of a plain torch field."""

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn.functional import softplus
from torch.nn.utils import vector_to_parameters

import ganlab
from ganlab.config import load_config
from ganlab.dynamics.field import field_from_config
from ganlab.dynamics.spectrum import field_jacobian, update_jacobian
from ganlab.training import Trainer

SMALL_MLP = [
    "generator.hidden=4", "generator.depth=1", "generator.activation=tanh",
    "discriminator.hidden=4", "discriminator.depth=1", "discriminator.activation=tanh",
    "training.precision=float64", "training.batch_size=16", "training.steps=2",
    "training.scheme=simultaneous", "optimizer.name=sgd", "optimizer.lr=0.05",
    "record.every=1", "record.scalars_every=1", "record.params_every=1",
    "record.spectrum_every=1", "record.samples=16", "record.real=32", "record.grid=8",
    "record.field_grid=4", "record.manifold_grid=3",
]
GENERATOR_SIZE = 2 * 4 + 4 + 4 * 2 + 2
DISCRIMINATOR_SIZE = 2 * 4 + 4 + 4 + 1


@pytest.fixture(scope="module")
def mlp_run(tmp_path_factory):
    config = load_config("ring8", SMALL_MLP)
    result = Trainer(config, tmp_path_factory.mktemp("mlp") / "run").run()
    return ganlab.open(result.run_dir)


def plain_field(real, latent):
    # The non-saturating GAN written out with plain torch modules, without ganlab's Game.
    generator = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 2)).double()
    discriminator = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1)).double()

    def field(phi):
        vector_to_parameters(phi[:GENERATOR_SIZE], generator.parameters())
        vector_to_parameters(phi[GENERATOR_SIZE:], discriminator.parameters())
        fake = generator(latent)
        d_loss = softplus(-discriminator(real)).mean() + softplus(discriminator(fake)).mean()
        g_loss = softplus(-discriminator(fake)).mean()
        g_grads = torch.autograd.grad(g_loss, list(generator.parameters()))
        d_grads = torch.autograd.grad(d_loss, list(discriminator.parameters()))
        return -torch.cat([g.reshape(-1) for g in (*g_grads, *d_grads)]).detach()

    return field


def finite_difference_jacobian(field, phi, eps=1e-6):
    columns = []
    for j in range(len(phi)):
        step = torch.zeros_like(phi)
        step[j] = eps
        columns.append((field(phi + step) - field(phi - step)) / (2 * eps))
    return torch.stack(columns, dim=1).numpy()


def initial_parameters(traj):
    params = traj.series("params")
    return torch.from_numpy(np.concatenate([params["generator"][0], params["discriminator"][0]]))


def test_recorded_sizes(mlp_run):
    dynamics = mlp_run.attrs["dynamics"]
    assert dynamics["generator_size"] == GENERATOR_SIZE
    assert dynamics["discriminator_size"] == DISCRIMINATOR_SIZE
    assert mlp_run.series("spectrum")["field_real"].shape == (3, GENERATOR_SIZE + DISCRIMINATOR_SIZE)


def test_jacobian_matches_finite_differences(mlp_run):
    field = field_from_config(mlp_run.config)
    real, latent = field.batches[0]
    phi = initial_parameters(mlp_run)

    expected = finite_difference_jacobian(plain_field(real, latent), phi)
    jacobian = field_jacobian(field, phi).numpy()

    assert np.abs(expected).max() > 1e-3  # a non-trivial Jacobian
    np.testing.assert_allclose(jacobian, expected, atol=1e-7, rtol=0)


def test_recorded_eigenvalues_match_finite_differences(mlp_run):
    field = field_from_config(mlp_run.config)
    real, latent = field.batches[0]
    expected = np.linalg.eigvals(finite_difference_jacobian(plain_field(real, latent),
                                                            initial_parameters(mlp_run)))
    series = mlp_run.series("spectrum")
    assert series["step"][0] == 0
    recorded = series["field_real"][0] + 1j * series["field_imag"][0]

    # Match as multisets: every recorded eigenvalue has a finite-difference partner and back.
    distances = np.abs(recorded[:, None] - expected[None, :])
    assert distances.min(axis=1).max() < 1e-5
    assert distances.min(axis=0).max() < 1e-5


def test_recorded_update_eigenvalues(mlp_run):
    field = field_from_config(mlp_run.config)
    real, latent = field.batches[0]
    jacobian = finite_difference_jacobian(plain_field(real, latent), initial_parameters(mlp_run))
    # Simultaneous SGD with step 0.05 for both players: I + 0.05 J.
    expected = np.linalg.eigvals(np.eye(len(jacobian)) + 0.05 * jacobian)
    series = mlp_run.series("spectrum")
    recorded = series["update_real"][0] + 1j * series["update_imag"][0]
    distances = np.abs(recorded[:, None] - expected[None, :])
    assert distances.min(axis=1).max() < 1e-6
    assert distances.min(axis=0).max() < 1e-6


def test_alternating_map_blocks():
    # Hand-built 3-parameter case: one generator parameter, two discriminator parameters.
    jacobian = np.array([[0.1, 0.4, -0.2], [-0.3, -0.5, 0.2], [0.6, 0.1, -0.7]])
    h_g, h_d = 0.2, 0.3
    discriminator_step = np.eye(3)
    discriminator_step[1:, :] += h_d * jacobian[1:, :]
    generator_step = np.eye(3)
    generator_step[:1, :] += h_g * jacobian[:1, :]
    expected = generator_step @ discriminator_step @ discriminator_step @ discriminator_step
    result = update_jacobian(jacobian, 1, h_g, h_d, "alternating", d_steps=3)
    np.testing.assert_allclose(result, expected, atol=1e-14)


def test_spectrum_leaves_training_unchanged(tmp_path):
    # Recording the spectrum must not consume any random stream of training, the instance
    # noise stream included.
    base = [item for item in SMALL_MLP if not item.startswith("record.spectrum_every")]
    base.append("regularizer.names=['instance_noise']")
    with_spectrum = Trainer(load_config("ring8", [*base, "record.spectrum_every=1"]),
                            tmp_path / "on").run()
    without = Trainer(load_config("ring8", [*base, "record.spectrum_every=0"]),
                      tmp_path / "off").run()
    params_on = ganlab.open(with_spectrum.run_dir).series("params")
    params_off = ganlab.open(without.run_dir).series("params")
    np.testing.assert_array_equal(params_on["generator"], params_off["generator"])
    np.testing.assert_array_equal(params_on["discriminator"], params_off["discriminator"])


@pytest.mark.parametrize("path", ["chunked", "row_by_row"])
def test_jacobian_paths_agree(mlp_run, monkeypatch, path):
    from ganlab.dynamics import spectrum

    field = field_from_config(mlp_run.config)
    real, latent = field.batches[0]
    phi = initial_parameters(mlp_run)
    expected = finite_difference_jacobian(plain_field(real, latent), phi)
    if path == "chunked":
        monkeypatch.setattr(spectrum, "ROW_CHUNK", 8)
    else:
        def unsupported(values, flat):
            raise RuntimeError("batched backward not implemented")

        monkeypatch.setattr(spectrum, "_batched_rows", unsupported)
    np.testing.assert_allclose(field_jacobian(field, phi).numpy(), expected, atol=1e-7, rtol=0)
