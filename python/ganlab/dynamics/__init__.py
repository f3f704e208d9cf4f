"""Game dynamics: the Dirac GAN, vector fields in parameter space and the game's spectrum.

* ``dirac``: the Dirac GAN of Mescheder et al. (2018), "Which Training Methods
  for GANs do actually Converge?": a point-mass dataset, a one-parameter
  generator and linear or quadratic discriminators, all trained through the
  normal training loop.
* ``field``: the game's gradient vector field over the flattened parameters of
  both players, evaluated by the same loss code as training.
* ``spectrum``: its Jacobian, the Jacobian's eigenvalues and the eigenvalues of
  the discrete update map of a scheme.
* ``params``: principal components of a recorded parameter path.
* ``recording``: the ``params`` and ``spectrum`` series written during training.

This package is imported by ``ganlab.data`` (for the dataset registration), so
its ``__init__`` imports nothing else.
"""
