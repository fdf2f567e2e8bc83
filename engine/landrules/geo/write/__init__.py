"""Decision writers that carry each parcel's shape (.gpkg, .geojson), registered in decide/outputs.py."""
