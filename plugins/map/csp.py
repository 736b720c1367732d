"""A per-response Content-Security-Policy for the map page: the site-wide policy, unchanged, plus a
nonce on ``script-src`` for folium's one inline script. Nothing else on the site is loosened."""

from __future__ import annotations

import secrets

from flask import current_app

from core.plugins import host
from core.security import build_csp


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def _site_policy() -> list[tuple[str, list[str]]]:
    state = current_app.extensions.setdefault("sesim_map", {})
    if "csp" not in state:
        policy = build_csp(current_app._get_current_object(), host())
        state["csp"] = [
            (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
        ]
    return state["csp"]


def policy_with_nonce(nonce: str) -> str:
    """The site policy with ``'nonce-…'`` added to ``script-src`` (created if it were missing)."""
    directives = [(name, list(sources)) for name, sources in _site_policy()]
    for name, sources in directives:
        if name == "script-src":
            sources.append(f"'nonce-{nonce}'")
            break
    else:
        directives.append(("script-src", ["'self'", f"'nonce-{nonce}'"]))
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives)
