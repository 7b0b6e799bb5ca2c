import pytest


@pytest.fixture(autouse=True)
def english(request):
    """Messages are asserted in English, the language of the source texts, whatever the
    product's default language is. (The reference-data checks also run without Django.)"""
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    from django.utils import translation

    request.getfixturevalue("settings").LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
