"""Former home of the F/I/S junction API, kept importable for one release.

Import from :mod:`fastspin.physics.fis` instead.
"""

from fastspin.physics.fis import *  # noqa: F403
from fastspin.physics.fis import __all__  # noqa: F401
