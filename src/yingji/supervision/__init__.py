"""Supervision of the action plan (督办/考核): tasks, milestones, progress reports, indicators,
statistics, the dashboard and the monthly supervision report."""
