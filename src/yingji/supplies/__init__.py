"""Supplies and logistics (应急物资): catalogue, stock ledger, reserve standards, rotation, requests,
allocation and dispatch, and the 12-hour relief check. Other domains call :mod:`.service` only."""
