"""PartyGrid: the system of record for grid-based community party-building."""

__version__ = "0.1.0"
