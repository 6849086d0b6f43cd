"""Yearly use reports of the special mark: filing, reminders and flags, the district's summary."""
