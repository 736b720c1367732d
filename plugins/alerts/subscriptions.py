"""Subscribing, confirming, changing and ending alerts. Every answer a visitor sees is the same
whether or not the address was already subscribed, so the form cannot be used to learn who
follows what; confirmation mail is sent by the worker, so timing tells nothing either."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app

from core.crypto import keyed_hash
from core.extensions import db
from core.models.base import utcnow
from plugins.alerts.models import AlertSubscription

RESEND_AFTER = timedelta(minutes=10)


def address_hash(kind: str, address: str) -> str:
    return keyed_hash(f"{kind}:{address.strip().lower()}", "alert-address")


def token_hash(token: str) -> str:
    return keyed_hash(token, "alert-token")


def new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(24)  # 32 characters: the log filter hides such path segments
    return token, token_hash(token)


def _existing(kind: str, hashed: str, area: str, category_id: int | None):
    return AlertSubscription.query.filter_by(kind=kind, address_hash=hashed, area=area,
                                             category_id=category_id).first()


def subscribe_email(address: str, area: str, category_id: int | None, frequency: str,
                    language: str) -> None:
    """Ask for a confirmation (sent by the worker); a repeat changes nothing visible."""
    hashed = address_hash("email", address)
    found = _existing("email", hashed, area, category_id)
    if found is not None:
        if found.confirmed_at is None and (found.confirm_sent_at is None
                                           or utcnow() - found.confirm_sent_at > RESEND_AFTER):
            found.confirm_due, found.frequency, found.language = True, frequency, language
            db.session.commit()
        return
    manage, manage_hash = new_token()
    db.session.add(AlertSubscription(kind="email", address=address.strip(), address_hash=hashed,
                                     area=area, category_id=category_id, frequency=frequency,
                                     language=language, confirm_due=True, manage_token=manage,
                                     manage_token_hash=manage_hash))
    db.session.commit()


def subscribe_sms(number: str, area: str, language: str, via: dict) -> AlertSubscription:
    """She texted the keyword from this number herself: that is the opt-in."""
    hashed = address_hash("sms", number)
    found = _existing("sms", hashed, area, None)
    if found is None:
        manage, manage_hash = new_token()
        found = AlertSubscription(kind="sms", address=number.strip(), address_hash=hashed, area=area,
                                  frequency="daily", language=language, via=via,
                                  manage_token=manage, manage_token_hash=manage_hash,
                                  confirmed_at=utcnow())
        db.session.add(found)
    db.session.commit()
    return found


def stop_sms(number: str) -> int:
    """STOP ends every SMS alert for that number; the rows are deleted, not kept."""
    rows = AlertSubscription.query.filter_by(kind="sms", address_hash=address_hash("sms", number)).all()
    for row in rows:
        db.session.delete(row)
    db.session.commit()
    return len(rows)


def _confirm_days() -> int:
    return int(current_app.config["SESIM_ALERTS_CONFIRM_DAYS"])


def by_confirm_token(token: str) -> AlertSubscription | None:
    """The subscription a confirmation link is for, if the link is neither used nor expired."""
    found = AlertSubscription.query.filter_by(confirm_token_hash=token_hash(token)).first()
    if found is None or found.confirm_sent_at is None:
        return None
    if utcnow() - found.confirm_sent_at > timedelta(days=_confirm_days()):
        return None
    return found


def confirm(subscription: AlertSubscription) -> None:
    subscription.confirmed_at = utcnow()
    subscription.confirm_token_hash = None  # the link works once
    db.session.commit()


def by_manage_token(token: str) -> AlertSubscription | None:
    found = AlertSubscription.query.filter_by(manage_token_hash=token_hash(token)).first()
    return found if found is not None and found.confirmed_at is not None else None


def siblings(subscription: AlertSubscription) -> list[AlertSubscription]:
    """Every confirmed alert of the same address (what her manage page lists)."""
    return (AlertSubscription.query
            .filter_by(kind=subscription.kind, address_hash=subscription.address_hash)
            .filter(AlertSubscription.confirmed_at.isnot(None))
            .order_by(AlertSubscription.id).all())


def delete(subscriptions) -> None:
    for subscription in subscriptions:
        db.session.delete(subscription)
    db.session.commit()


def purge_unconfirmed() -> int:
    """Addresses that never confirmed are forgotten after the link expires."""
    cutoff = utcnow() - timedelta(days=_confirm_days())
    rows = AlertSubscription.query.filter(
        AlertSubscription.confirmed_at.is_(None), AlertSubscription.confirm_due.is_(False),
        db.func.coalesce(AlertSubscription.confirm_sent_at, AlertSubscription.created_at) < cutoff).all()
    delete(rows)
    return len(rows)
