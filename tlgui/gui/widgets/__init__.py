"""Reusable widgets: image tile grid, drop zone, live curves, thumbnail strips."""
