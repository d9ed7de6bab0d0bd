"""Warnings (预警): raised by rules, by hand or imported; CAP 1.2 in and out; an Atom feed."""
