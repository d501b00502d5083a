"""Demo data: one street of Huangdao district with its communities, branches, groups,
grids (with 1+1+N+X staff) and about sixty party members.

Every demo organization and grid carries a ``DEMO-`` code and every demo member a fixed
ID number, and loading creates only what is missing, so ``partygrid demo`` can run any
number of times (and completes a load that was interrupted half-way).
"""

from partygrid.seed.demo.loader import DemoSummary, load_demo
from partygrid.seed.demo.people import DEMO_MEMBERS, DemoMember
from partygrid.seed.demo.street import (
    DEMO_GRIDS,
    DEMO_ORGANIZATIONS,
    ROOT_CODE,
    STREET_CODE,
    DemoGrid,
    DemoOrg,
)

__all__ = [
    "DEMO_GRIDS",
    "DEMO_MEMBERS",
    "DEMO_ORGANIZATIONS",
    "ROOT_CODE",
    "STREET_CODE",
    "DemoGrid",
    "DemoMember",
    "DemoOrg",
    "DemoSummary",
    "load_demo",
]
