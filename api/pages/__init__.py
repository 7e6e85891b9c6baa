"""Server-rendered pages from the same app: portfolio, programme, closure report, my sign-offs
(docs/pages.md). ``create_app`` registers ``pages().router`` and ``pages().templates``."""

from api.pages.router import Pages, pages

__all__ = ["Pages", "pages"]
