"""An office without German on its site writes its rules in the first fallback language."""

import pytest
from portal_plugins.hygiene.models import Rule
from sqlalchemy import select

from portal.testing import sign_in

NEW = "/en/staff/hygiene/rules/new"


@pytest.fixture
def portal_config():
    return {"plugins": ["hygiene"], "languages": ["tr", "en", "ar"], "default_language": "en",
            "fallback_languages": ["en"]}


def test_rules_are_written_in_the_configured_source_language(app, make_staff, data, form_values, client):
    editor = app.test_client()
    sign_in(editor, make_staff("editor"), lang="en")
    form = editor.get(NEW)
    assert form.status_code == 200
    values = form_values(form)
    values.setlist("text-tr", ["Lütfen maske takın."])
    response = editor.post(NEW, data=values)
    assert response.status_code == 422
    assert "English" in response.get_data(as_text=True)
    values.setlist("text-en", ["Please wear a mask."])
    assert editor.post(NEW, data=values).status_code == 302
    assert data(lambda session: session.scalars(select(Rule.text)).one()) == {
        "tr": "Lütfen maske takın.", "en": "Please wear a mask."}
    assert "Please wear a mask." in client.get("/ar/hygiene/").get_data(as_text=True)
    assert editor.get("/en/staff/hygiene/").status_code == 200
