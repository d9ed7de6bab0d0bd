"""Command and dispatch (指挥调度): incidents, their lifecycle and timeline, plans, tasks, dispatch of
teams, vehicles and experts, reporting upward, duty and consultations."""

from yingji.incidents import escalation as _escalation  # noqa: F401  (registers the warning → incident escalator)
