"""The built-in models; importing this package registers them by name."""

from fastspin.models.dot import DotModel
from fastspin.models.sis import SISJunction, SISMerit

__all__ = ["DotModel", "SISJunction", "SISMerit"]
