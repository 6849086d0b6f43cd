"""Accounts: sign-in, registration, passwords, roles and user administration."""
