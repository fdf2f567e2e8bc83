"""Parcels on the map (contract §8): boundary files in (read/), checks named and never repaired
(checks), CGCS2000 zones (crs), the facts shapes give (facts), joined onto ledger rows (join, plan),
decisions out with their shapes (write/), and the cluster's map as SVG (svg)."""
