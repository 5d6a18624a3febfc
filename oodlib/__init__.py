"""oodlib: the thin library behind oodbook — data, models, training, scorers, metrics, results, plots."""

__version__ = "0.1.0"
