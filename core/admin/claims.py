"""Who holds a message or report: a moderator's claim (expires after ``SESIM_ADMIN_CLAIM_MINUTES``)
or an admin's assignment (no expiry).

Taking a claim is one conditional UPDATE, so when two moderators click at the same moment the
database lets exactly one of them through; the other is told who holds it and since when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, flash, redirect, request
from flask_babel import gettext as _
from sqlalchemy import or_, update

from core.admin.audit import record
from core.extensions import db
from core.models import Message, User
from core.models.base import utcnow


class ClaimError(ValueError):
    """A claim is not possible; ``str(error)`` is a translated reason for the moderator."""


@dataclass(frozen=True)
class Holder:
    user: User | None
    since: object  # datetime
    assigned: bool


def claim_minutes() -> int:
    return max(1, int(current_app.config.get("SESIM_ADMIN_CLAIM_MINUTES", 30)))


def holder(row) -> Holder | None:
    """Who holds ``row`` now, or None."""
    if row.claim_holder() is None:
        return None
    return Holder(db.session.get(User, row.claimed_by_id), row.claimed_at,
                  row.claim_expires_at is None)


def _check_claimable(row) -> None:
    if row.status == "withdrawn":
        raise ClaimError(_("She withdrew this; there is nothing left to work on."))
    if isinstance(row, Message):
        if row.direction != "in":
            raise ClaimError(_("Only received messages can be claimed."))
        if row.report_id is not None or row.status == "converted":
            raise ClaimError(_("This message is already part of a report; claim the report instead."))


def held_by_other(row, user) -> ClaimError:
    current = holder(row)
    who = current.user.email if current and current.user else "—"
    since = current.since.strftime("%Y-%m-%d %H:%M") if current and current.since else "—"
    return ClaimError(_("%(who)s holds it since %(since)s (UTC).", who=who, since=since))


def claim(row, user) -> None:
    """Take ``row`` for ``user`` (or renew her own claim); raises ClaimError when someone else
    holds it. Audited, refusals too; the caller commits."""
    model = type(row)
    try:
        _check_claimable(row)
    except ClaimError as error:
        record(f"refused.{model.__tablename__}_claim", row, note=str(error))
        raise
    now = utcnow()
    expires = now + timedelta(minutes=claim_minutes())
    free = or_(model.claimed_by_id.is_(None), model.claimed_by_id == user.id,
               model.claim_expires_at <= now)
    conditions = [model.id == row.id, free]
    if model is Message:  # a message merged into a report meanwhile cannot be claimed
        conditions.append(model.report_id.is_(None))
    result = db.session.execute(
        update(model).where(*conditions)
        .values(claimed_by_id=user.id, claimed_at=now, claim_expires_at=expires)
        .execution_options(synchronize_session=False))
    db.session.refresh(row)
    if result.rowcount != 1:
        error = held_by_other(row, user) if row.claim_holder() not in (None, user.id) \
            else ClaimError(_("This message is already part of a report; claim the report instead."))
        record(f"refused.{model.__tablename__}_claim", row, note=str(error))
        raise error
    record("claim.taken", row, after={"holder_id": user.id})


def release(row, user) -> bool:
    """Give ``row`` back; an admin may release anyone's claim. False when there was nothing to
    release."""
    current = holder(row)
    if current is None:
        return False
    if row.claimed_by_id != user.id and user.role != "admin":
        raise held_by_other(row, user)
    before = row.claimed_by_id
    row.claimed_by_id = row.claimed_at = row.claim_expires_at = None
    record("claim.released", row, before={"holder_id": before})
    return True


def assign(row, assignee: User | None, user) -> None:
    """An admin gives ``row`` to ``assignee`` (a moderator or admin), without expiry; None
    clears it."""
    _check_claimable(row)
    before = row.claimed_by_id if holder(row) is not None else None
    if assignee is None:
        row.claimed_by_id = row.claimed_at = row.claim_expires_at = None
    else:
        row.claimed_by_id, row.claimed_at, row.claim_expires_at = assignee.id, utcnow(), None
    record("claim.assigned", row, before={"holder_id": before},
           after={"holder_id": assignee.id if assignee else None})


def assignable() -> list[User]:
    """Staff who can hold inbox messages and reports."""
    return User.query.filter(User.role.in_(("admin", "moderator")), User.active.is_(True)) \
        .order_by(User.email).all()


def holder_filter(model, value: str, user):
    """A query condition for ``holder=me|none|others`` in the inbox and report filters."""
    now = utcnow()
    live = (model.claimed_by_id.isnot(None)
            & or_(model.claim_expires_at.is_(None), model.claim_expires_at > now))
    if value == "me":
        return live & (model.claimed_by_id == user.id)
    if value == "none":
        return ~live
    if value == "others":
        return live & (model.claimed_by_id != user.id)
    return None


def claim_from_form(row, back: str, held: str):
    """The claim/release button of a message or a report: act, audit, commit and go ``back``.
    A refused claim is audited too and answered 303, with the reason flashed."""
    from flask_login import current_user

    releasing = request.form.get("action", "claim") == "release"
    try:
        (release if releasing else claim)(row, current_user)
    except ClaimError as exc:
        db.session.commit()  # the refusal is audited
        flash(str(exc), "error")
        return redirect(back), 303
    db.session.commit()
    flash(_("Released.") if releasing else held, "info")
    return redirect(back)
