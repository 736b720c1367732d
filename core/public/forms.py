"""The anonymous report form. Every message is explicit and translated: WTForms' own catalogues
do not cover Azerbaijani."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    ValidationError,
    widgets,
)
from wtforms.validators import InputRequired, Length, Optional

from core import gazetteer
from core.config import split_list
from core.i18n import current_language
from core.models import Category
from core.text import clean

TITLE_MAX, STORY_MAX, CONTACT_MAX = 200, 10_000, 200
OLDEST_YEARS = 30


class CheckboxList(SelectMultipleField):
    """Categories as checkboxes: works without JavaScript and on small screens."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = [None]  # not a number: reported by pre_validate in the reader's language

    def pre_validate(self, form):
        known = {value for value, _label in self.choices}
        if any(value not in known for value in self.data or []):
            raise ValidationError(_l("Choose categories from the list."))


class PlaceSelect(SelectField):
    def pre_validate(self, form):
        if self.data and gazetteer.load().place(self.data) is None:
            raise ValidationError(_l("Choose a place from the list."))


class _Translated:
    """Replace WTForms' untranslated parse error with ours."""

    parse_error = ""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            self.data = None
            raise ValueError(str(self.parse_error)) from exc


class DateInput(_Translated, DateField):
    parse_error = _l("Write the date as YYYY-MM-DD.")


class TimeInput(_Translated, TimeField):
    parse_error = _l("Write the time as HH:MM.")


class CoordinateInput(_Translated, DecimalField):
    parse_error = _l("Not a number.")

    def process_formdata(self, valuelist):
        # "40,41" is how many phones' keyboards write a decimal in az and ru.
        super().process_formdata([v.replace(",", ".") for v in valuelist])
        if self.data is not None and not self.data.is_finite():  # NaN, sNaN, Infinity
            self.data = None
            raise ValueError(str(self.parse_error))


def _not_blank(form, field):
    if not (field.data or "").strip():
        raise ValidationError(_l("This field is required."))


class ReportForm(FlaskForm):
    title = StringField(
        _l("Title"),
        filters=[clean],
        validators=[_not_blank, Length(max=TITLE_MAX, message=_l("At most %(max)d characters."))],
        description=_l("A few words, e.g. \u201cFollowed near the metro\u201d."),
    )
    story = TextAreaField(
        _l("What happened?"),
        filters=[clean],
        validators=[_not_blank, Length(max=STORY_MAX, message=_l("At most %(max)d characters."))],
        description=_l("Leave out names and anything that could identify you."),
    )
    occurred_on = DateInput(
        _l("Date"),
        validators=[InputRequired(message=_l("Give the date, even if approximate."))],
        format=["%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"],  # browsers without a date picker: local habit
    )
    occurred_time = TimeInput(_l("Time (optional)"), validators=[Optional()], format="%H:%M")
    place = PlaceSelect(_l("District, town or village"), choices=[])
    lat = CoordinateInput(_l("Latitude"), validators=[Optional()], places=None)
    lon = CoordinateInput(_l("Longitude"), validators=[Optional()], places=None)
    categories = CheckboxList(_l("What kind of harassment?"), coerce=int, choices=[])
    photo = FileField(_l("Photo (optional)"))
    consent_publish = BooleanField(_l("The story may be published (after a moderator removes names)."))
    wants_legal_help = BooleanField(_l("I want help from a lawyer."))
    contact = StringField(
        _l("How can we reach you? (optional)"),
        filters=[clean],
        validators=[Optional(), Length(max=CONTACT_MAX, message=_l("At most %(max)d characters."))],
        description=_l("Only if it is safe for you. It is encrypted and seen only by our staff."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = current_language()
        self.place.choices = place_choices(language)
        self.categories.choices = category_choices(language)
        self.photo.description = _l("JPEG, PNG or WebP, at most %(size)s MB.",
                                    size=photo_limit_mb())
        self.occurred_on.widget.input_type = "date"
        self.occurred_time.widget.input_type = "time"

    # --- cross-field checks -------------------------------------------------------------
    def validate_occurred_on(self, field):
        today = local_now().date()
        if field.data and field.data > today:
            raise ValidationError(_l("The date cannot be in the future."))
        if field.data and field.data < today - timedelta(days=365 * OLDEST_YEARS):
            raise ValidationError(_l("The date is too far in the past."))

    def validate_occurred_time(self, field):
        if field.data and self.occurred_on.data:
            when = datetime.combine(self.occurred_on.data, field.data)
            if when > local_now().replace(tzinfo=None) + timedelta(minutes=5):
                raise ValidationError(_l("The time cannot be in the future."))

    def validate_categories(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one category."))

    def validate_lat(self, field):
        if (self.lat.data is None) != (self.lon.data is None):
            raise ValidationError(_l("Give both latitude and longitude, or neither."))
        if self.lat.data is not None and not gazetteer.load().in_country(
            float(self.lat.data), float(self.lon.data)
        ):
            raise ValidationError(_l("This point is outside Azerbaijan."))

    def validate_place(self, field):
        if not field.data and self.lat.data is None and self.lon.data is None:
            raise ValidationError(_l("Choose a place, or give a point."))

    def occurred_at(self) -> datetime:
        time = self.occurred_time.data
        return datetime.combine(self.occurred_on.data, time) if time else datetime.combine(
            self.occurred_on.data, datetime.min.time()
        )


def photo_limit_mb() -> str:
    from core.public.photos import limit_mb

    return limit_mb()


def local_now() -> datetime:
    return datetime.now(ZoneInfo(current_app.config["SESIM_TIMEZONE"]))


def place_choices(language: str) -> list:
    """``{region: [(place_id, name)]}`` choices: optgroups work without JavaScript."""
    wanted = split_list(current_app.config["SESIM_REGIONS"])
    groups = {"": [("", _l("Choose a place"))]}
    for region in gazetteer.load().regions:
        if wanted and region.id not in wanted:
            continue
        options = [(region.id, _l("%(region)s (anywhere)", region=region.name(language)))]
        options += [(p.id, p.name(language)) for p in region.places]
        groups[region.name(language)] = options
    return groups


# The last categories read, per language: the form still works while the database is down.
_last_choices: dict[str, list] = {}


def category_choices(language: str) -> list:
    from core import spool

    try:
        rows = (
            Category.query.filter_by(active=True)
            .order_by(Category.parent_id.isnot(None), Category.position)
            .all()
        )
    except Exception as exc:
        if not spool.is_database_down(exc) or language not in _last_choices:
            raise
        spool.forget_session()
        return _last_choices[language]
    ordered = []
    for parent in (c for c in rows if c.parent_id is None):
        ordered.append((parent.id, parent.name_in(language)))
        ordered += [(c.id, "\u2014 " + c.name_in(language)) for c in rows if c.parent_id == parent.id]
    _last_choices[language] = ordered
    return ordered
