"""``/alerts``: subscribe by e-mail (double opt-in), confirm, manage, unsubscribe in one click.
Works without JavaScript. Links carry a token in the path, never an address; one-click
unsubscribe (RFC 8058) is a POST without a CSRF token, the token itself being the secret."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _

from core import channels
from core.extensions import csrf, limiter
from core.i18n import current_language
from core.models import Category
from core.numbers import whole
from plugins.alerts import areas, subscriptions
from plugins.alerts.models import FREQUENCIES

bp = Blueprint("alerts", __name__, url_prefix="/alerts", template_folder="templates")
MAX_EMAIL = 254


def _limit() -> str:
    return current_app.config["SESIM_ALERTS_RATELIMIT"]


def _sms_number() -> str | None:
    """The number to text, when an SMS channel is enabled here."""
    if channels.get("sms") is None:
        return None
    config = current_app.config  # the SMS plugin's setting, or its deprecated earlier name
    return config.get("SESIM_SMS_REPORT_NUMBER") or config.get("SESIM_REPORT_SMS_NUMBER") or None


def _form(values: dict, errors: dict, status: int = 200):
    language = current_language()
    return render_template(
        "alerts/index.html", values=values, errors=errors, areas=areas.choices(language),
        categories=Category.query.filter_by(active=True).order_by(Category.position).all(),
        frequencies=FREQUENCIES, sms_number=_sms_number()), status


@bp.route("", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def index():
    if request.method == "GET":
        return _form({"frequency": "daily", "area": request.args.get("area", "")}, {})
    form = request.form
    values = {key: (form.get(key) or "").strip()[:300] for key in ("email", "area", "category", "frequency")}
    errors = {}
    try:
        address = validate_email(values["email"][:MAX_EMAIL], check_deliverability=False).normalized
    except EmailNotValidError:
        errors["email"] = _("Enter an e-mail address like name@example.org.")
    if not areas.known(values["area"]):
        errors["area"] = _("Choose a place from the list.")
    category_id = None
    if values["category"]:
        category_id = whole(values["category"])
        category = Category.query.filter_by(id=category_id, active=True).first() if category_id else None
        if category is None:
            errors["category"] = _("Choose a category from the list.")
    if values["frequency"] not in FREQUENCIES:
        errors["frequency"] = _("Choose how often you want to hear from us.")
    if errors:
        return _form(values, errors, 400)
    subscriptions.subscribe_email(address, values["area"], category_id, values["frequency"],
                                  current_language())
    return render_template("alerts/message.html", title=_("Check your inbox"), text=_(
        "If this address is not subscribed yet, a message with a confirmation link is on its way. "
        "Nothing is sent before you confirm."))


def _gone():
    return render_template("alerts/message.html", title=_("This link no longer works"), text=_(
        "The link has expired or was already used. If you still want alerts, subscribe again."),
        again=True), 404


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token):
    subscription = subscriptions.by_confirm_token(token[:64])
    if subscription is None:
        return _gone()
    if request.method == "GET":  # a mail scanner following the link must not confirm for her
        return render_template("alerts/confirm.html", area=areas.name(subscription.area, current_language()))
    subscriptions.confirm(subscription)
    return render_template("alerts/message.html", title=_("Alerts confirmed"), text=_(
        "You will receive alerts about new published reports. Every alert has a link to change "
        "or stop them."))


@bp.route("/manage/<token>", methods=["GET", "POST"])
def manage(token):
    subscription = subscriptions.by_manage_token(token[:64])
    if subscription is None:
        return _gone()
    mine = subscriptions.siblings(subscription)
    if request.method == "POST":
        action = request.form.get("action")
        chosen = next((s for s in mine if s.id == whole(request.form.get("subscription"))), None)
        if action == "delete_all":
            subscriptions.delete(mine)
            return render_template("alerts/message.html", title=_("Alerts stopped"),
                                   text=_("Your address has been deleted from Sesim's alerts."))
        if chosen is None or action not in ("save", "delete"):
            return _manage_page(token, mine, _("Choose one of your alerts."), 400)
        if action == "delete":
            subscriptions.delete([chosen])
            mine = [s for s in mine if s is not chosen]
            if not mine:
                return render_template("alerts/message.html", title=_("Alerts stopped"),
                                       text=_("Your address has been deleted from Sesim's alerts."))
        elif request.form.get("frequency") in FREQUENCIES:
            chosen.frequency = request.form["frequency"]
            from core.extensions import db

            db.session.commit()
        else:
            return _manage_page(token, mine, _("Choose how often you want to hear from us."), 400)
        token = mine[0].manage_token if chosen not in mine else token
    return _manage_page(token, mine)


def _manage_page(token, mine, error=None, status=200):
    language = current_language()
    return render_template("alerts/manage.html", token=token, subscriptions=mine, error=error,
                           frequencies=FREQUENCIES,
                           area_name=lambda area: areas.name(area, language) or _("Azerbaijan")), status


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token):
    subscription = subscriptions.by_manage_token(token[:64])
    if subscription is None:
        return _gone()
    if request.method == "GET":
        return render_template("alerts/unsubscribe.html",
                               area=areas.name(subscription.area, current_language()) or _("Azerbaijan"))
    subscriptions.delete([subscription])
    return render_template("alerts/message.html", title=_("Alert stopped"),
                           text=_("This alert has been deleted. You will get no more e-mails about it."))
