"""The tracker: programme and transition tracking on an event-sourced store."""

__all__: list[str] = []
