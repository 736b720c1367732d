"""The Graph API client, behind this one adapter so it can be swapped without touching the rest.

We use facebook-sdk's ``GraphAPI``. Its 3.1.0 constructor only accepts API versions up to 3.1
(2018), which Facebook retired long ago; but the SDK builds every request path as
``f"{self.version}/{path}"`` (see ``GraphAPI.get_object``/``request``), so we construct it with a
version it accepts and then set the one the deployer configured (``SESIM_FACEBOOK_API_VERSION``).
Only ``request`` is used, and its errors become ``GraphError`` with a message a deployer can act on.
"""

from __future__ import annotations

import re

import facebook
import requests

TIMEOUT = 20  # seconds per request; Facebook expects webhook answers within 20 s too
DEFAULT_VERSION = "v22.0"
_VERSION = re.compile(r"^v?(\d{1,2})\.(\d{1,2})$")
_TOKEN_CODES = {190, 102}  # OAuthException: expired, revoked or wrong token
_RATE_CODES = {4, 17, 32, 613, 80001, 80006}  # app, user, page and Messenger rate limits


class GraphError(RuntimeError):
    """A Graph API call failed; the message says why and what to check."""


class GraphUnreachable(GraphError):
    """graph.facebook.com could not be reached at all."""


def api_version(value) -> str:
    """``"19.0"`` or ``"v19.0"`` → ``"v19.0"``; anything else is a configuration error."""
    text = str(value or DEFAULT_VERSION).strip()
    match = _VERSION.match(text)
    if not match:
        raise GraphError(f"SESIM_FACEBOOK_API_VERSION={text!r} is not a Graph API version like v22.0")
    return f"v{int(match.group(1))}.{int(match.group(2))}"


class Graph:
    """A page-token Graph API client: ``get``, ``pages`` (cursor paging) and ``post``."""

    def __init__(self, access_token: str, version: str | None = None):
        self._api = facebook.GraphAPI(access_token=access_token, timeout=TIMEOUT, version="3.1")
        self._api.version = api_version(version)

    @property
    def version(self) -> str:
        return self._api.version

    def _request(self, path: str, params=None, post_args=None) -> dict:
        try:
            return self._api.request(f"{self._api.version}/{path}", args=params, post_args=post_args)
        except facebook.GraphAPIError as exc:
            raise _explain(exc) from exc
        except requests.RequestException as exc:
            raise GraphUnreachable(f"could not reach Facebook ({type(exc).__name__}): check the network") \
                from exc
        except (KeyError, ValueError) as exc:  # no content type, or a body that is not JSON
            raise GraphError(f"Facebook sent an answer we cannot read ({type(exc).__name__})") from exc

    def get(self, path: str, **params) -> dict:
        return self._request(path, params=params)

    def pages(self, path: str, **params):
        """Yield each item of a list edge, following ``paging.cursors.after`` while there is a next page."""
        while True:
            page = self.get(path, **params)
            yield from page.get("data") or []
            paging = page.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not paging.get("next") or not after:
                return
            params = {**params, "after": after}

    def post(self, path: str, **data) -> dict:
        return self._request(path, post_args=data)


def _explain(exc: facebook.GraphAPIError) -> GraphError:
    code = exc.code
    if code in _TOKEN_CODES:
        return GraphError(f"Facebook refused the page access token (code {code}: {exc.message}); it "
                          "expired or was revoked: set a new SESIM_FACEBOOK_PAGE_ACCESS_TOKEN")
    if code in _RATE_CODES:
        return GraphError(f"Facebook rate limit reached (code {code}); the next fetch resumes from "
                          "the saved position")
    return GraphError(f"Facebook refused the request (code {code}: {exc.message})")


def make_graph(config) -> Graph:
    token = str(config.get("SESIM_FACEBOOK_PAGE_ACCESS_TOKEN") or "").strip()
    if not token:
        raise GraphError("SESIM_FACEBOOK_PAGE_ACCESS_TOKEN is not set")
    return Graph(token, config.get("SESIM_FACEBOOK_API_VERSION"))
