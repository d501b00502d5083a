"""Use cases of the organization tree."""
