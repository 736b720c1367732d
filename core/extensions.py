"""Flask extensions, created unbound here and bound to each app in ``create_app``."""

from flask import has_request_context, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.query import Query as BaseQuery
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

from core.numbers import whole
from core.privacy import rate_limit_key

# Named constraints so Alembic migrations behave the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MAX_PAGE = 100_000  # a page number from a URL beyond this (or beyond int64) is page 1
MAX_PER_PAGE = 200


def _page_args(page, per_page) -> tuple[int | None, int | None]:
    """``?page=`` and ``?per_page=`` as bounded numbers: a 30-digit page number used to overflow
    the database driver (a 500) on every staff list."""
    if has_request_context():
        if page is None:
            page = whole(request.args.get("page"), 1, MAX_PAGE) or 1
        if per_page is None:
            per_page = whole(request.args.get("per_page"), 1, MAX_PER_PAGE) or 20
    return page, per_page


class Query(BaseQuery):
    def paginate(self, *, page=None, per_page=None, **options):
        page, per_page = _page_args(page, per_page)
        return super().paginate(page=page, per_page=per_page, **options)


class Database(SQLAlchemy):
    def paginate(self, select, *, page=None, per_page=None, **options):
        page, per_page = _page_args(page, per_page)
        return super().paginate(select, page=page, per_page=per_page, **options)


db = Database(metadata=MetaData(naming_convention=NAMING), query_class=Query)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
limiter = Limiter(key_func=rate_limit_key, default_limits=[])
