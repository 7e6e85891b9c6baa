"""The composition root: the ``tracker`` command line, which reads the settings once and wires
the store, the handlers, the projector, the scheduler and the HTTP API (``api.app``) for the
subcommand asked for. ``tracker/`` (the domain and application) imports nothing from here or
from ``api/``; the edges import the domain.
"""
