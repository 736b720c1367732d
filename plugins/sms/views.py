"""The webhook blueprint: ``/channels/sms/<gateway>``. Each gateway checks its own secret."""

from __future__ import annotations

import hmac

from flask import Blueprint, abort, jsonify

from core.extensions import csrf
from plugins.sms.settings import enabled_gateways

bp = Blueprint("sms", __name__, url_prefix="/channels/sms")
csrf.exempt(bp)


def require_gateway(name: str) -> None:
    """A gateway the deployer did not enable does not exist (404), whatever was posted."""
    if name not in enabled_gateways():
        abort(404)


def same_secret(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; an unset secret matches nothing."""
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def refuse(status: int, error: str):
    return jsonify(error=error, status=status), status


def register(app) -> None:
    from plugins.sms import callbacks, smssync, twilio_gateway  # noqa: F401  (routes on bp)

    app.register_blueprint(bp)
