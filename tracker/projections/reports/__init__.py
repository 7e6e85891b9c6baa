"""Reports: pure renderers from a programme's view and a question to a sealed report.

No report reads the store, calls the clock or remembers anything. ``catalogue.render(report,
view, question)`` is the one way the read side turns a view into a report; the portfolio and
the inbox, which span programmes, are ``portfolio.portfolio`` and ``signoff_status.inbox``.
This package imports none of its modules: a report module that imports a sibling (the closure
report is made of the others) does not run every other report's import on the way.
"""
