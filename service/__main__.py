"""``python -m service``: the ``tracker`` command."""

from service.cli import main

raise SystemExit(main())
