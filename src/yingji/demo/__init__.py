"""Deterministic synthetic demo city (聊城市, Liaocheng): registry records to seed a demo database.

Everything here is synthetic or approximate and must be labelled so in the UI. See ``demo.data``.
"""
