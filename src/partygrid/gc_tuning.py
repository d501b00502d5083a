"""Garbage-collector settings for a long-running server process.

Under 64 concurrent requests many young objects outlive a collection and get promoted,
so full collections come often and walk every object the app made at import (routes,
schemas, SQLAlchemy metadata): member reads lost about a fifth of their throughput and
their p99 grew from 13 to 58 ms at 8 connections (bench/RESULTS.md). Freezing what
startup made takes it out of every later collection; a larger first generation makes
collections rarer. Memory stays bounded: cycles are still collected, only later.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 20_000  # CPython's default is 700 allocations
OLDER_THRESHOLDS = (50, 1_000)


def tune_for_serving() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
