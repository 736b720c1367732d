"""Admin pages for the support directory (``/admin/resources``) and the awareness pages
(``/admin/pages``): add, edit, hide. Page bodies are cleaned with nh3 as they are saved; a PDF
must really be a PDF. Every change is audited."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp

from core import resources
from core.admin import bp
from core.admin.access import ADMINS, roles
from core.admin.audit import record
from core.admin.choices import as_choices, region_choices
from core.extensions import db
from core.models import AwarenessPage, SupportResource
from core.models.support import LANGUAGES
from core.text import clean

LANGUAGE_NAMES = {"az": _l("Azerbaijani"), "ru": _l("Russian"), "en": _l("English")}
RESOURCE_FIELDS = ("kind", "region_id",
                   *[f"{n}_{lang}" for n in ("name", "address", "hours") for lang in LANGUAGES],
                   "phone", "email", "website", "position", "active")
PAGE_FIELDS = ("slug", "kind", "published", "position",
               *[f"{n}_{lang}" for n in ("title", "summary", "body") for lang in LANGUAGES])


def _strip(value):
    return clean(value).strip() if isinstance(value, str) else value


class ResourceForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=as_choices(resources.KIND_LABELS.items()))
    region_id = SelectField(_l("Region"), choices=[])
    name_az = StringField(_l("Name (Azerbaijani)"), validators=[DataRequired(), Length(max=200)],
                          filters=[_strip])
    name_ru = StringField(_l("Name (Russian)"), validators=[Length(max=200)], filters=[_strip])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=200)], filters=[_strip])
    address_az = StringField(_l("Address (Azerbaijani)"), validators=[Length(max=300)], filters=[_strip])
    address_ru = StringField(_l("Address (Russian)"), validators=[Length(max=300)], filters=[_strip])
    address_en = StringField(_l("Address (English)"), validators=[Length(max=300)], filters=[_strip])
    hours_az = StringField(_l("Opening hours (Azerbaijani)"), validators=[Length(max=200)], filters=[_strip])
    hours_ru = StringField(_l("Opening hours (Russian)"), validators=[Length(max=200)], filters=[_strip])
    hours_en = StringField(_l("Opening hours (English)"), validators=[Length(max=200)], filters=[_strip])
    phone = StringField(_l("Phone"), validators=[Length(max=40), Regexp(
        r"^[0-9+() \-]*$", message=_l("Digits, spaces, +, dashes and brackets only."))], filters=[_strip])
    email = StringField(_l("E-mail"), validators=[Optional(), Email(), Length(max=200)], filters=[_strip])
    website = StringField(_l("Website"), validators=[Optional(), URL(message=_l(
        "A full address starting with https://.")), Length(max=300)], filters=[_strip])
    position = IntegerField(_l("Order"), default=0,
                            validators=[InputRequired(), NumberRange(min=-10000, max=10000)])
    active = BooleanField(_l("Shown on the public pages"), default=True)


class PageForm(FlaskForm):
    slug = StringField(_l("Short name in the address (slug)"), validators=[
        DataRequired(), Length(max=80),
        Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Use lower-case letters, digits and dashes."))])
    kind = SelectField(_l("Kind"), choices=as_choices(resources.PAGE_KIND_LABELS.items()))
    title_az = StringField(_l("Title (Azerbaijani)"), validators=[DataRequired(), Length(max=200)],
                           filters=[_strip])
    title_ru = StringField(_l("Title (Russian)"), validators=[Length(max=200)], filters=[_strip])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=200)], filters=[_strip])
    summary_az = TextAreaField(_l("Summary (Azerbaijani)"), validators=[Length(max=4000)], filters=[_strip])
    summary_ru = TextAreaField(_l("Summary (Russian)"), validators=[Length(max=4000)], filters=[_strip])
    summary_en = TextAreaField(_l("Summary (English)"), validators=[Length(max=4000)], filters=[_strip])
    body_az = TextAreaField(_l("Text (Azerbaijani, simple HTML)"), validators=[Length(max=100000)])
    body_ru = TextAreaField(_l("Text (Russian, simple HTML)"), validators=[Length(max=100000)])
    body_en = TextAreaField(_l("Text (English, simple HTML)"), validators=[Length(max=100000)])
    pdf = FileField(_l("PDF (optional, replaces the current one)"))
    position = IntegerField(_l("Order"), default=0,
                            validators=[InputRequired(), NumberRange(min=-10000, max=10000)])
    published = BooleanField(_l("Published"), default=False)


def _resource_form(entry=None, formdata=None) -> ResourceForm:
    form = ResourceForm(formdata=formdata, obj=entry if formdata is None else None)
    form.region_id.choices = as_choices([("", _("Whole country")), *region_choices()])
    if entry is not None and formdata is None:
        form.region_id.data = entry.region_id or ""
    return form


def _snapshot(row, fields) -> dict:
    return {name: getattr(row, name) for name in fields}


@bp.route("/resources", methods=["GET", "POST"])
@roles(*ADMINS)
def support_resources():
    form = _resource_form(formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        entry = SupportResource()
        _fill_resource(entry, form)
        db.session.add(entry)
        db.session.flush()
        record("resource.created", entry, after=_snapshot(entry, RESOURCE_FIELDS))
        db.session.commit()
        flash(_("Support contact added."), "info")
        return redirect(url_for("admin.support_resources"))
    entries = SupportResource.query.order_by(SupportResource.region_id, SupportResource.position,
                                             SupportResource.id).all()
    return render_template("admin/resources.html", form=form, entries=entries,
                           regions=dict(region_choices()), kinds=resources.KIND_LABELS,
                           ), 400 if form.errors else 200


def _fill_resource(entry: SupportResource, form: ResourceForm) -> None:
    for name in RESOURCE_FIELDS:
        value = getattr(form, name).data
        if name == "region_id":
            value = value or None
        elif value is None and name not in ("position", "active"):
            value = ""
        setattr(entry, name, value)


@bp.route("/resources/<int:resource_id>", methods=["GET", "POST"])
@roles(*ADMINS)
def support_resource(resource_id):
    entry = db.get_or_404(SupportResource, resource_id)
    form = _resource_form(entry, request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        before = _snapshot(entry, RESOURCE_FIELDS)
        _fill_resource(entry, form)
        after = _snapshot(entry, RESOURCE_FIELDS)
        if before != after:
            record("resource.edited", entry, before={k: v for k, v in before.items() if v != after[k]},
                   after={k: v for k, v in after.items() if v != before[k]})
            db.session.commit()
        flash(_("Saved."), "info")
        return redirect(url_for("admin.support_resources"))
    return render_template("admin/resource.html", form=form, entry=entry), 400 if form.errors else 200


def _page_form(page=None, formdata=None) -> PageForm:
    return PageForm(formdata=formdata, obj=page if formdata is None else None)


def _save_page(page: AwarenessPage, form: PageForm) -> str | None:
    """Copy the form into ``page``; return a translated error, or None."""
    taken = AwarenessPage.query.filter(AwarenessPage.slug == form.slug.data,
                                       AwarenessPage.id != (page.id or 0)).first()
    if taken is not None:
        return _("Another page already uses this short name.")
    upload = request.files.get("pdf")
    payload = upload.read() if upload and upload.filename else None
    if payload is not None:
        try:
            page.pdf_stored_name, page.pdf_size = resources.store_pdf(payload)
        except resources.BadPdf as exc:
            return str(exc)
    for name in PAGE_FIELDS:
        value = getattr(form, name).data
        if name.startswith("body_"):
            value = resources.clean_html(value or "")
        elif value is None and name not in ("position", "published"):
            value = ""
        setattr(page, name, value)
    return None


@bp.route("/pages", methods=["GET", "POST"])
@roles(*ADMINS)
def awareness_pages():
    form = _page_form(formdata=request.form if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.validate():
        page = AwarenessPage()
        error = _save_page(page, form)
        if error is None:
            db.session.add(page)
            db.session.flush()
            record("page.created", page, after={"slug": page.slug, "published": page.published,
                                                "pdf": bool(page.pdf_stored_name)})
            db.session.commit()
            flash(_("Page added."), "info")
            return redirect(url_for("admin.awareness_pages"))
    pages = AwarenessPage.query.order_by(AwarenessPage.kind, AwarenessPage.position).all()
    status = 400 if (form.errors or error) else 200
    return render_template("admin/pages.html", form=form, pages=pages, error=error), status


@bp.route("/pages/<int:page_id>", methods=["GET", "POST"])
@roles(*ADMINS)
def awareness_page(page_id):
    page = db.get_or_404(AwarenessPage, page_id)
    form = _page_form(page, request.form if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.validate():
        before = _snapshot(page, ("slug", "published", "pdf_stored_name"))
        error = _save_page(page, form)
        if error is None:
            after = _snapshot(page, ("slug", "published", "pdf_stored_name"))
            record("page.edited", page, before=before, after=after)
            db.session.commit()
            flash(_("Saved."), "info")
            return redirect(url_for("admin.awareness_pages"))
        db.session.rollback()
    status = 400 if (form.errors or error) else 200
    return render_template("admin/page.html", form=form, page=page, error=error), status
