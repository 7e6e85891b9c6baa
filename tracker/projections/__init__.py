"""Projections: pure folds over events, and the read models a projector keeps current."""

__all__: list[str] = []
