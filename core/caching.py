"""Caches never hand one person's session to another: a publicly cacheable response (feeds,
exports, the API, static files) carries no ``Set-Cookie``, and a page that depends on the session
or the browser's language says so in ``Vary`` (or is ``no-store``)."""

from __future__ import annotations

from flask import g
from flask.sessions import SecureCookieSessionInterface


def publicly_cacheable(response) -> bool:
    """``public``, or a lifetime for shared caches without ``private``/``no-store``."""
    cc = response.cache_control
    if cc.no_store or cc.private:
        return False
    return bool(cc.public or cc.s_maxage or (cc.max_age and cc.max_age > 0))


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except that a shared cache never gets a cookie to keep."""

    def save_session(self, app, session, response):
        if publicly_cacheable(response):
            if session.accessed:
                response.vary.add("Cookie")
            # A change (e.g. ?lang=ru) waits for the next page that is not cached; a cookie set
            # by anyone else (Flask-Login clearing its unused remember cookie) is dropped too.
            response.headers.remove("Set-Cookie")
            return
        super().save_session(app, session, response)
        if "Set-Cookie" in response.headers and not response.cache_control.no_store:
            response.cache_control.private = True


def language_negotiated() -> None:
    """Called when the language was chosen from the session or the browser's header."""
    g.sesim_language_negotiated = True


def init_app(app) -> None:
    app.session_interface = SessionInterface()

    @app.after_request
    def vary_by_language(response):
        if g.get("sesim_language_negotiated"):
            response.vary.add("Cookie")
            response.vary.add("Accept-Language")
        return response
