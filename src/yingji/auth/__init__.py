"""Accounts, roles, division scope, tokens and password hashing."""
