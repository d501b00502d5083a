"""Routes of party members (党员), and the audited reveal of their personal data."""

from partygrid.api.v1.members import reveal, routes

routers = (routes.router, reveal.router)
