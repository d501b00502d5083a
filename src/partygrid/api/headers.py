"""Security headers on every response, set by the `secure` library's ASGI middleware.

One policy for all responses: the JSON API needs none of what it allows, and Swagger UI
(api/docs.py) needs exactly that: its own scripts and styles, the hashes of its inline
start-up scripts, data: images from its stylesheet, and fetches to this origin.
Cache-Control: no-store everywhere, since almost any answer may carry personal data.
"""

from __future__ import annotations

from collections.abc import Sequence

from secure import (
    CacheControl,
    ContentSecurityPolicy,
    ReferrerPolicy,
    Secure,
    StrictTransportSecurity,
    XContentTypeOptions,
    XFrameOptions,
)

HSTS_SECONDS = 365 * 24 * 3600

SELF, NONE = "'self'", "'none'"


def content_security_policy(script_hashes: Sequence[str]) -> ContentSecurityPolicy:
    return (
        ContentSecurityPolicy()
        .default_src(NONE)
        .script_src(SELF, *script_hashes)
        .style_src(SELF)
        .img_src(SELF, "data:")
        .connect_src(SELF)
        .form_action(SELF)
        .base_uri(NONE)
        .frame_ancestors(NONE)
    )


def security_headers(*, behind_tls: bool, script_hashes: Sequence[str]) -> Secure:
    """The headers; Strict-Transport-Security only when the deployment says it is served
    over TLS (sent over plain HTTP it would be ignored, or lock out a test host)."""
    return Secure(
        csp=content_security_policy(script_hashes),
        xcto=XContentTypeOptions(),
        xfo=XFrameOptions().deny(),
        referrer=ReferrerPolicy().no_referrer(),
        cache=CacheControl().no_store(),
        hsts=StrictTransportSecurity().max_age(HSTS_SECONDS).include_subdomains()
        if behind_tls
        else None,
    )
