"""Staff forms (Flask-WTF: every form carries ``csrf_token``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)
from wtforms.widgets import CheckboxInput, ListWidget

from core.admin.choices import as_choices
from core.admin.labels import PRECISION_LABELS, ROLE_LABELS
from core.models.report import PRECISIONS
from core.models.user import ROLES
from core.passwords import MIN_LENGTH
from core.text import clean


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=500)])
    otp = StringField(_l("Code from your authenticator app"),
                      validators=[Optional(), Length(max=10)])


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(min=MIN_LENGTH, max=500,
                               message=_l("Use at least %(min)d characters.", min=MIN_LENGTH))])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])


class ChangePasswordForm(PasswordForm):
    """A stolen session alone must not be enough to take the account over."""

    current = PasswordField(_l("Current password"), validators=[DataRequired()])


class TotpForm(FlaskForm):
    code = StringField(_l("Code from your authenticator app"),
                       validators=[DataRequired(), Regexp(r"^\s*\d{6}\s*$",
                                                          message=_l("Type the 6 digits."))])
    # Replacing a second factor that is on needs a code from the old one.
    current_code = StringField(_l("Code from your current authenticator"), validators=[Optional()])


class UserCreateForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=as_choices((r, ROLE_LABELS[r]) for r in ROLES),
                       default="moderator")
    password = PasswordField(_l("Password (leave empty to send an invitation link)"), validators=[
        Optional(), Length(min=MIN_LENGTH, max=500,
                           message=_l("Use at least %(min)d characters.", min=MIN_LENGTH))])
    totp_required = BooleanField(_l("Require a second factor (TOTP)"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ReportFieldsForm(FlaskForm):
    """What a moderator types when making or editing a report."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)], filters=[clean])
    story = TextAreaField(_l("Story (as the reporter told it)"),
                          validators=[DataRequired(), Length(max=20000)], filters=[clean])
    occurred_on = DateField(_l("Date it happened"), validators=[InputRequired()])
    place = SelectField(_l("Place"), choices=[], validators=[Optional()])
    categories = MultiCheckboxField(_l("Categories"), coerce=int, choices=[])
    language = SelectField(_l("Language"), choices=as_choices((c, c) for c in ("az", "ru", "en")))
    consent_publish = BooleanField(_l("The reporter agreed that her story may be public"))
    wants_legal_help = BooleanField(_l("The reporter wants legal help"))


class ModerationForm(FlaskForm):
    verified = BooleanField(_l("Verified"))
    verification_note = TextAreaField(_l("How it was verified"), validators=[Length(max=4000)])
    location_precision = SelectField(_l("Public location"),
                                     choices=as_choices((p, PRECISION_LABELS[p]) for p in PRECISIONS))
    public_story = TextAreaField(_l("Public story (redacted)"), validators=[Length(max=20000)],
                                 filters=[clean])


class CategoryForm(FlaskForm):
    slug = StringField(_l("Short name (slug)"), validators=[
        DataRequired(), Length(max=64),
        Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Use lower-case letters, digits and dashes."))])
    name_az = StringField(_l("Name (Azerbaijani)"), validators=[DataRequired(), Length(max=120)])
    name_ru = StringField(_l("Name (Russian)"), validators=[DataRequired(), Length(max=120)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=120)])
    parent_id = SelectField(_l("Parent"), coerce=int, choices=[])
    colour = StringField(_l("Colour"), default="#7a4ea3", validators=[
        DataRequired(), Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("A colour like #7a4ea3."))])
    position = IntegerField(_l("Order"), default=0, validators=[
        InputRequired(), NumberRange(min=-10000, max=10000)])
    active = BooleanField(_l("Offered on the report form"), default=True)
