"""Persistence: tables, repositories and the unit of work; the only layer that speaks SQL."""
