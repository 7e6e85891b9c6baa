"""Benchmarks. Run them from the repository root, e.g. ``python -m benchmarks.store --help``."""
