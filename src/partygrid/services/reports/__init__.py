"""Use cases of the reports."""
