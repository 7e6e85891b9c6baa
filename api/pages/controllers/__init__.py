"""The page route handlers, by page."""

from api.pages.controllers import closure, downloads, portfolio, programme, signin, signoffs

ROUTES = [
    *signin.ROUTES,
    *portfolio.ROUTES,
    *programme.ROUTES,
    *closure.ROUTES,
    *downloads.ROUTES,
    *signoffs.ROUTES,
]

__all__ = ["ROUTES"]
