"""The security headers of every response of the web view.

The pages load their script and style from ``/static`` only (no inline script, no CDN):
Mermaid (``static/mermaid.min.js``, started by ``static/diagram.js``) draws each diagram as
an SVG with a ``<style>`` of its own and style attributes, hence ``'unsafe-inline'`` for
styles, never for scripts. No page may be framed (clickjacking a Replay button)."""

from __future__ import annotations

from werkzeug.wrappers import Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # Mermaid's SVG styles
        "img-src 'self' data:",
        "font-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers without CSP 2
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # saga ids and keys stay out of other sites' logs
    "Cross-Origin-Opener-Policy": "same-origin",
}


def secure(response: Response) -> Response:
    """Add the headers (``after_request``: every page, error, redirect and static file)."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response
