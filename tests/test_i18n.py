"""Languages: each app reads its own catalogues, including those of the plugins it enables."""


def test_each_app_has_its_own_catalogues(make_app):
    without_map = make_app(SESIM_PLUGINS="")
    assert "Bildir" in without_map.test_client().get("/").get_data(as_text=True)  # fills the cache
    with_map = make_app(SESIM_PLUGINS="map")
    page = with_map.test_client().get("/").get_data(as_text=True)
    assert ">Xəritə<" in page  # the map plugin's own Azerbaijani catalogue


def test_language_choice_is_remembered_in_the_session(make_app):
    client = make_app().test_client()
    assert '<html lang="ru">' in client.get("/?lang=ru").get_data(as_text=True)
    assert '<html lang="ru">' in client.get("/report").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/case").get_data(as_text=True)


def test_unknown_language_falls_back_to_the_browser_then_azerbaijani(make_app):
    app = make_app()
    assert '<html lang="az">' in app.test_client().get("/?lang=fr").get_data(as_text=True)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru-RU,ru;q=0.9"
    assert '<html lang="ru">' in client.get("/").get_data(as_text=True)
