"""The built-in models; importing this package registers them by name."""

from fastspin.models.dot import DotModel
from fastspin.models.fis import FISJunction, FISResponse
from fastspin.models.macrospin import MacrospinSwitching
from fastspin.models.magnon import Magnon
from fastspin.models.sis import SISJunction, SISMerit
from fastspin.models.texture import Texture
from fastspin.models.tilt import TiltAngle

__all__ = ["DotModel", "FISJunction", "FISResponse", "MacrospinSwitching", "Magnon", "SISJunction", "SISMerit", "Texture",
           "TiltAngle"]
