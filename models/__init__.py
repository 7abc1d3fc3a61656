"""The shipped model, installed as the package `realtime.models` (see pyproject.toml).

Only a marker: `realtime.classifier.DEFAULT_MODEL` finds `digits.keras` and its companions here
with importlib.resources in an installed copy, and in this folder when run from a clone.
"""
