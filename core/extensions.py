"""Flask extensions, created unbound here and bound to each app in ``create_app``."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

from core.privacy import rate_limit_key

# Named constraints so Alembic migrations behave the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
limiter = Limiter(key_func=rate_limit_key, default_limits=[])
