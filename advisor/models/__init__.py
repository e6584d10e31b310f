"""Pydantic models: the only shapes that cross module borders."""
