"""Web pages (placeholder until the UI lands)."""

from fastapi import APIRouter

router = APIRouter()
