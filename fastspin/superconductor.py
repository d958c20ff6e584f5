"""Former home of the gap API, kept importable for one release.

Import from :mod:`fastspin.physics.superconductor` instead.
"""

from fastspin.physics.superconductor import *  # noqa: F403
from fastspin.physics.superconductor import __all__  # noqa: F401
