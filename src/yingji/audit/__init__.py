"""Append-only audit log of every write."""
