"""The page route handlers, by page."""

from api.pages.controllers import (
    closure,
    downloads,
    imports,
    portfolio,
    programme,
    signin,
    signoffs,
)

ROUTES = [
    *signin.ROUTES,
    *portfolio.ROUTES,
    *programme.ROUTES,
    *closure.ROUTES,
    *downloads.ROUTES,
    *signoffs.ROUTES,
    *imports.ROUTES,
]

__all__ = ["ROUTES"]
