"""Boundary readers, one module per format, chosen by `registry.read_layer`."""

from landrules.geo.read.registry import READERS, read_layer

__all__ = ["READERS", "read_layer"]
