"""Yingji (应急): a city emergency support platform."""

__version__ = "0.1.0"
