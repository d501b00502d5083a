"""Aggregates over a subtree for the reports."""
