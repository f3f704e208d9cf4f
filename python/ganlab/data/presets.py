"""Named dataset parameter sets at the scales the literature uses.

The same dataset name means different scales in different papers, so each
preset names its source. A config selects one with ``data.preset``; keys given
next to it override the preset's values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ganlab.registry import Registry

DATA_PRESETS = Registry("data preset", "data.preset")

# gan_toy.py of the WGAN-GP authors divides the 8-Gaussian data by 1.414 and
# the 25-Gaussian data by 2.828 (their estimates of the data's std) after
# adding the noise, so centres and stds shrink by the same factor.
WGANGP_8GAUSSIANS_DIVISOR = 1.414
WGANGP_25GAUSSIANS_DIVISOR = 2.828
WGANGP_SWISSROLL_DIVISOR = 7.5


@dataclass(frozen=True)
class DataPreset:
    """A dataset name with its parameters; unlisted parameters keep their defaults."""

    dataset: str
    params: dict = field(default_factory=dict)


DATA_PRESETS.register(
    "ring8_veegan",
    DataPreset("ring", {"modes": 8, "radius": 1.0, "std": 0.01, "start_angle": 0.0}),
    description="8 Gaussians on a circle of radius 1, std 0.01",
    source="Srivastava et al. 2017, VEEGAN (2D ring); Lin et al. 2018, PacGAN (same data)",
)

DATA_PRESETS.register(
    "grid25_veegan",
    DataPreset("grid", {"side": 5, "spacing": 2.0, "std": 0.05}),
    description="25 Gaussians at {-4, -2, 0, 2, 4}², std 0.05",
    source="Srivastava et al. 2017, VEEGAN (2D grid); Lin et al. 2018, PacGAN (same data)",
)

DATA_PRESETS.register(
    "8gaussians_wgangp",
    DataPreset(
        "ring",
        {
            "modes": 8,
            "radius": 2.0 / WGANGP_8GAUSSIANS_DIVISOR,
            "std": 0.02 / WGANGP_8GAUSSIANS_DIVISOR,
            "start_angle": 0.0,
        },
    ),
    description="8 Gaussians at radius 2 on the compass and diagonal directions, std 0.02, "
    "all divided by 1.414 (radius ≈ 1.414, std ≈ 0.01414)",
    source="Gulrajani et al. 2017, Improved Training of Wasserstein GANs (WGAN-GP), "
    "toy experiments (authors' gan_toy.py)",
)

DATA_PRESETS.register(
    "25gaussians_wgangp",
    DataPreset(
        "grid",
        {
            "side": 5,
            "spacing": 2.0 / WGANGP_25GAUSSIANS_DIVISOR,
            "std": 0.05 / WGANGP_25GAUSSIANS_DIVISOR,
        },
    ),
    description="25 Gaussians at (2i, 2j), i, j in -2..2, std 0.05, all divided by 2.828; "
    "sampled fresh each batch",
    source="Gulrajani et al. 2017, Improved Training of Wasserstein GANs (WGAN-GP), "
    "toy experiments (authors' gan_toy.py)",
)

DATA_PRESETS.register(
    "swissroll_wgangp",
    DataPreset("swissroll", {"noise": 0.25, "scale": 1.0 / WGANGP_SWISSROLL_DIVISOR}),
    description="scikit-learn swiss roll with noise 0.25, columns x and z, divided by 7.5",
    source="Gulrajani et al. 2017, Improved Training of Wasserstein GANs (WGAN-GP), "
    "toy experiments (authors' gan_toy.py)",
)

DATA_PRESETS.register(
    "ring8_unrolled",
    DataPreset("ring", {"modes": 8, "radius": 2.0, "std": 0.02, "start_angle": 0.0}),
    description="8 Gaussians on a circle of radius 2, std 0.02",
    source="Metz et al. 2016, Unrolled Generative Adversarial Networks (appendix, 2D mixture)",
)
