"""Reproducible training of counterclaim's shipped models (needs the `train` extra: torch, transformers).

Each module runs as `python -m counterclaim.training.<model>` and writes into src/counterclaim/models.
"""
