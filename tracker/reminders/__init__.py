"""Reminder e-mails: what is due to whom (``selection``), one e-mail per person per pass
(``compose``), SMTP delivery (``mailer``), one pass under a lock, recorded once per key
(``passes``, ``service``), and the ``tracker scheduler`` process (``scheduler``, not imported
here: it pulls in APScheduler). Rules and decisions: docs/reminders.md."""
