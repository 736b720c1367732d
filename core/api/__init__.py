"""Core JSON API (``/api/v1``): read-only, public fields only, open to any origin."""


def init_app(app) -> None:
    from core.api.views import bp

    app.register_blueprint(bp)
