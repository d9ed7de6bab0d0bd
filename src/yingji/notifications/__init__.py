"""Notifications (通知): channels, subscriptions to warnings, the delivery queue and log."""
