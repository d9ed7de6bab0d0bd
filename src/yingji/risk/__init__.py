"""Risk database (风险数据库): hazard sources, risk assessments and the chemicals table."""
