"""Open311 GeoReport v2 facade under /open311/v2: the international standard for citizen
service requests, so existing clients (hotline front ends, WeChat mini programs built on
Open311 SDKs) file and follow tickets unchanged. Errors under this prefix are in the
specification's ``errors`` format, not problem+json."""

from partygrid.api.v1.tickets.open311.formats import error_response_for
from partygrid.api.v1.tickets.open311.routes import PREFIX, router

__all__ = ["PREFIX", "error_response_for", "router"]
