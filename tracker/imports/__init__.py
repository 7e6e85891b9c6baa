"""Importing a programme's spreadsheet: deliverables, milestones or the RAID log
(docs/import.md)."""
