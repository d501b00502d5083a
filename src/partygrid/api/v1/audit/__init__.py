"""Routes of the audit trail (审计), for auditors alone."""

from partygrid.api.v1.audit import routes

routers = (routes.router,)
