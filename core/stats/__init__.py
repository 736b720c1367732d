"""Core statistics: ``/stats`` and ``/stats.csv``, counted in SQL over published reports."""


def init_app(app) -> None:
    from core.stats import hooks
    from core.stats.views import bp

    app.register_blueprint(bp)
    app.extensions["sesim"].manager.register(hooks, name="core.stats")
