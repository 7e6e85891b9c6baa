"""The HTTP API and pages (Litestar)."""

__all__: list[str] = []
