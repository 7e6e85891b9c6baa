"""Reminder e-mails: what is due to whom (``selection``), one e-mail per person per pass
(``compose``), SMTP delivery (``mailer``), one pass under a lock, recorded once per key
(``passes``, ``service``), and the ``tracker scheduler`` process (``scheduler``, not imported
here: it pulls in APScheduler). Rules and decisions: docs/reminders.md."""

from tracker.reminders.model import Recipient, Reminder, ReminderPolicy, policy_from
from tracker.reminders.passes import Delivery, PassReport, run_pass
from tracker.reminders.selection import by_recipient, due_reminders
from tracker.reminders.service import run_reminders

__all__ = [
    "Delivery",
    "PassReport",
    "Recipient",
    "Reminder",
    "ReminderPolicy",
    "by_recipient",
    "due_reminders",
    "policy_from",
    "run_pass",
    "run_reminders",
]
