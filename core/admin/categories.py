"""Category management: one level of nesting, colours, order, names in az/ru/en, report counts."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func

from core.admin import bp
from core.admin.access import ADMINS, roles
from core.admin.audit import record
from core.admin.choices import as_choices
from core.admin.choices import categories as ordered_categories
from core.admin.forms import CategoryForm
from core.extensions import db
from core.models import Category, Report, report_categories

FIELDS = ("slug", "name_az", "name_ru", "name_en", "parent_id", "colour", "position", "active")


def _counts() -> tuple[dict, dict]:
    """Reports per category: all of them, and published ones (counted live, never stored)."""
    base = db.session.query(report_categories.c.category_id, func.count()) \
        .join(Report, Report.id == report_categories.c.report_id)
    total = dict(base.group_by(report_categories.c.category_id).all())
    published = dict(base.filter(Report.status == "published")
                     .group_by(report_categories.c.category_id).all())
    return total, published


def _form(category=None) -> CategoryForm:
    form = CategoryForm(obj=category)
    tops = Category.query.filter(Category.parent_id.is_(None)).order_by(Category.position)
    form.parent_id.choices = as_choices([(0, "—")] + [(c.id, c.name) for c in tops
                                                      if category is None or c.id != category.id])
    if request.method == "GET" and category is not None:
        form.parent_id.data = category.parent_id or 0
    return form


def _save(form: CategoryForm, category: Category | None) -> Category | None:
    """Validate the rules a form cannot express; return the saved category or None."""
    slug_owner = Category.query.filter_by(slug=form.slug.data).first()
    if slug_owner is not None and slug_owner is not category:
        form.slug.errors = [_("Another category already uses this short name.")]
        return None
    parent_id = form.parent_id.data or None
    if parent_id and category is not None and category.children:
        form.parent_id.errors = [_("A category with sub-categories cannot itself be a sub-category.")]
        return None
    before = {name: getattr(category, name) for name in FIELDS} if category else None
    if category is None:
        category = Category()
        db.session.add(category)
    form.populate_obj(category)
    category.parent_id = parent_id
    category.colour = form.colour.data.lower()
    db.session.flush()
    after = {name: getattr(category, name) for name in FIELDS}
    record("category.created" if before is None else "category.edited", category,
           before=before, after=after)
    db.session.commit()
    return category


@bp.route("/categories", methods=["GET", "POST"])
@roles(*ADMINS)
def categories():
    form = _form()
    if form.validate_on_submit() and _save(form, None):
        flash(_("Category added."), "info")
        return redirect(url_for("admin.categories"))
    total, published = _counts()
    status = 400 if request.method == "POST" else 200
    return render_template("admin/categories.html", form=form, categories=ordered_categories(),
                           total=total, published=published), status


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@roles(*ADMINS)
def category(category_id):
    item = db.session.get(Category, category_id) or abort(404)
    form = _form(item)
    if form.validate_on_submit() and _save(form, item):
        flash(_("Category saved."), "info")
        return redirect(url_for("admin.categories"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/category.html", form=form, category=item), status
