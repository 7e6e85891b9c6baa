"""The seed programmes, transcribed from the council papers in ``../shared/seeds/`` with their
historical dates and their oddities. ``tracker seed`` loads them; see ``docs/seed.md``."""

from seed.loader import SeedReport, load_seed
from seed.seeder import ProgrammeSeedReport

__all__ = ["ProgrammeSeedReport", "SeedReport", "load_seed"]
