"""Security headers for console pages: a strict CSP (our origin only, no inline script) and the usual rest."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request

NOT_CONSOLE = ("/api/", "/docs", "/openapi.json", "/healthz", "/readyz", "/metrics")


def is_console_path(path: str) -> bool:
    return not path.startswith(NOT_CONSOLE)


def content_security_policy(tile_url: str | None) -> str:
    # Inline *styles* stay allowed: ECharts and Leaflet position tooltips and map panes with style
    # attributes. Scripts come from our origin only.
    images = "'self' data:"
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "a"))
        images += f" {parts.scheme}://{parts.netloc.replace('a.', '*.', 1) if '{s}' in tile_url else parts.netloc}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src {images}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def add_security_headers(tile_url: str | None):
    policy = content_security_policy(tile_url)

    def add(response):
        if is_console_path(request.path):
            response.headers["Content-Security-Policy"] = policy
            response.headers["X-Frame-Options"] = "DENY"
            response.headers["Cache-Control"] = response.headers.get("Cache-Control", "no-store")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        return response

    return add
