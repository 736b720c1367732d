"""Sesim core: ``create_app`` reads like a table of contents; each step lives in its own module."""

from __future__ import annotations

import os

from cryptography.fernet import Fernet
from flask import Flask

from core.hookspecs import hookimpl

__all__ = ["create_app", "hookimpl"]


def create_app(config: dict | None = None) -> Flask:
    from core import (
        admin,
        api,
        auth,
        caching,
        cli,
        errors,
        i18n,
        legal_hooks,
        public,
        security,
        slots,
        stats,
        themes,
    )
    from core import config as settings
    from core.extensions import db, limiter, migrate
    from core.plugins import PluginHost
    from core.privacy import install_log_filters
    from core.secrets import load_or_create

    app = Flask(
        __name__,
        instance_path=os.environ.get("SESIM_INSTANCE_PATH") or None,
        instance_relative_config=True,
        static_folder=None,
    )
    from core.numbers import BoundedInt

    app.url_map.converters["int"] = BoundedInt
    merged = settings.load(config)
    if merged.get("SESIM_INSTANCE_PATH"):
        app.instance_path = merged["SESIM_INSTANCE_PATH"]
    app.config.update({**load_or_create(app.instance_path), **merged})
    if app.config["SESIM_DEV"]:  # plain http on 127.0.0.1 for `make run`
        for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
            if key not in (config or {}) and f"SESIM_{key}" not in os.environ:
                app.config[key] = False
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{app.instance_path}/sesim.db"
    from core.filemodes import private_database

    private_database(app.config["SQLALCHEMY_DATABASE_URI"])
    app.extensions["sesim_fernet"] = Fernet(app.config["SESIM_ENCRYPTION_KEY"])
    install_log_filters()
    if app.config["SESIM_TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["SESIM_TRUSTED_PROXIES"])
        # x_host stays 0: a forged X-Forwarded-Host must not end up in links (set SESIM_PUBLIC_URL).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    plugins = PluginHost()
    plugins.load(app.config["SESIM_PLUGINS"])
    app.extensions["sesim"] = plugins
    with app.app_context():
        for defaults in plugins.wire("sesim_config_defaults"):
            settings.apply_defaults(app.config, defaults)

    from core import compression, publiccounts, sqlite

    compression.init_app(app)  # first registered, so it compresses what every other hook made
    db.init_app(app)

    sqlite.init_app(app, db)
    publiccounts.install()
    migrate.init_app(app, db, directory=str(_migrations_dir()))
    from core import migrating

    if migrating.configure not in migrate.configure_callbacks:
        migrate.configure(migrating.configure)
    from core.extensions import csrf

    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["SESIM_RATELIMIT_STORAGE"])
    limiter.init_app(app)
    auth.init_app(app)
    i18n.init_app(app, plugins.translation_dirs())
    themes.init_app(app)
    slots.init_app(app)
    public.init_app(app)
    admin.init_app(app)
    stats.init_app(app)
    plugins.manager.register(legal_hooks, name="core.legal")
    api.init_app(app)
    with app.app_context():
        plugins.wire("sesim_register_blueprints", app=app)
    security.init_app(app, plugins)
    caching.init_app(app)
    errors.init_app(app)
    cli.init_app(app, plugins)
    return app


def _migrations_dir():
    from core.packaged import migrations_dir

    return migrations_dir()
