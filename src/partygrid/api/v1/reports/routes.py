"""Routes of the reports: counts, sizing advice and coverage gaps under any node."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import Query

from partygrid.api.deps import ReadUow
from partygrid.api.errors import problem_responses
from partygrid.api.permissions import AUTH_ERRORS, ReportReader
from partygrid.api.routing import PrefixRouter
from partygrid.api.v1.reports.schemas import CoverageReport, SizingReport, SubtreeCounts
from partygrid.domain.organizations.model import SizingAdvice
from partygrid.services.reports import use_cases as svc

router = PrefixRouter(prefix="/reports", tags=["reports"], responses=AUTH_ERRORS)

Under = Annotated[
    int | None,
    Query(description="Organization in your scope whose subtree to report on; omit for your "
          "whole scope."),
]  # fmt: skip
Limit = Annotated[int, Query(ge=1, le=500, description="Most items listed per section.")]


@router.get("/counts", response_model=SubtreeCounts, responses=problem_responses(404, 422))
async def subtree_counts(uow: ReadUow, actor: ReportReader, under: Under = None) -> SubtreeCounts:
    """Organizations by kind and members by category under a node (社区党委160个, ...)."""
    counts = await svc.subtree_counts(uow, actor=actor, under=under)
    return SubtreeCounts.model_validate(asdict(counts))


@router.get("/sizing", response_model=SizingReport, responses=problem_responses(404, 422))
async def sizing_report(
    uow: ReadUow,
    actor: ReportReader,
    under: Under = None,
    limit: Limit = 100,
    community_committee_over: Annotated[int, Query(ge=1)] = 100,
    grid_branch_max: Annotated[int, Query(ge=1)] = 50,
    building_group_max: Annotated[int, Query(ge=1)] = 15,
) -> SizingReport:
    """Organizations that break the sizing advice: a general branch over 100 members should
    be a committee, a grid branch over 50 or a building group over 15 should split."""
    advice = SizingAdvice(community_committee_over, grid_branch_max, building_group_max)
    items = await svc.sizing_report(uow, actor=actor, under=under, advice=advice, limit=limit)
    return SizingReport.model_validate({"items": items, **asdict(advice)})


@router.get("/coverage", response_model=CoverageReport, responses=problem_responses(404, 422))
async def coverage_report(
    uow: ReadUow, actor: ReportReader, under: Under = None, limit: Limit = 100
) -> CoverageReport:
    """Gaps: grids without a serving branch or leader, unplaced members, empty organizations."""
    sections = await svc.coverage_report(uow, actor=actor, under=under, limit=limit)
    return CoverageReport.model_validate({k: asdict(v) for k, v in sections.items()})
