"""API credentials: bearer tokens (``tokens``) and their command line (``cli``)."""

__all__: list[str] = []
