"""Command handlers: the only code that touches the store on the write side."""

from tracker.handlers.base import CommandResult
from tracker.handlers.dispatch import Handlers

__all__ = ["CommandResult", "Handlers"]
