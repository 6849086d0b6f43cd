"""The audit log: every state change and admin action, hash-chained."""
