"""A letter to a client: the source-language part first, then the client's language, each in its own locale."""

import pytest
from jinja2 import ChoiceLoader, DictLoader

from portal import toolkit

PART = "{{ letter_language }} {{ translation }} {{ current_language() }} {{ _('Seite nicht gefunden') }}"


@pytest.fixture
def letter_app(app, monkeypatch):
    monkeypatch.setattr(app.jinja_env, "loader", ChoiceLoader([DictLoader({"part.html": PART}), app.jinja_loader]))
    return app


def parts(app, client_language):
    with app.test_request_context("/de/"):
        return [(part.lang, part.translation, str(part.html))
                for part in toolkit.render_letter("part.html", client_language)]


def test_the_source_language_comes_first_and_the_clients_language_is_the_translation(letter_app):
    [german, english] = parts(letter_app, "en")
    assert german[:2] == ("de", False) and german[2].startswith("de False")
    assert english[:2] == ("en", True) and english[2].startswith("en True") and "Page not found" in english[2]


@pytest.mark.parametrize("client_language", [None, "", "de"])
def test_one_part_when_the_client_reads_the_source_language(letter_app, client_language):
    assert [part[0] for part in parts(letter_app, client_language)] == ["de"]
