"""Repositories of tickets: the projection and timeline, work lists, statistics, deadlines,
the catalogue and public reads."""
