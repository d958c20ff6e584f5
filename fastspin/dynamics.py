"""Former home of the stochastic dynamics API, kept importable for one release.

Import from :mod:`fastspin.physics.macrospin`, :mod:`fastspin.physics.tilt` and
:mod:`fastspin.physics.spectra` instead.
"""

from fastspin.physics.macrospin import *  # noqa: F403
from fastspin.physics.macrospin import __all__ as _macrospin_all
from fastspin.physics.spectra import *  # noqa: F403
from fastspin.physics.spectra import __all__ as _spectra_all
from fastspin.physics.tilt import *  # noqa: F403
from fastspin.physics.tilt import __all__ as _tilt_all

__all__ = [*_macrospin_all, *_tilt_all, *_spectra_all]
