"""A form that makes something, sent twice, makes it once: the keys of its pages and their claims."""

from datetime import timedelta

import lxml.html
from flask import render_template_string
from sqlalchemy import select

from portal import toolkit
from portal.db import utcnow
from portal.submissions import SentForm


class MakingForm(toolkit.Form):
    sending_key = toolkit.SendingKeyField()


def sending(app, path: str, key: str | None, fields: dict | None = None):
    """Return the form as a sending of it to path with the key and fields would read it (no CSRF check)."""
    context = app.test_request_context(path, method="POST",
                                       data=(fields or {}) | ({} if key is None else {"sending_key": key}))
    context.push()
    return context, MakingForm(meta={"csrf": False})


def claims_in_turn(app, key: str, sendings: list[tuple[str, dict]]) -> list[str | None]:
    """Send the form with the key to each (path, fields) in turn, each first sending keeping its answer; return what
    each claim answered."""
    answers = []
    for path, fields in sendings:
        context, form = sending(app, path, key, fields)
        try:
            assert form.sending_key.data == key
            answers.append(toolkit.claim_sending(form))
            if answers[-1] is None:
                toolkit.keep_answer(form, "/de/made/1")
            toolkit.session().commit()
        finally:
            context.pop()
    return answers


def test_the_same_input_sent_again_is_a_second_sending_and_other_input_one_of_its_own(app):
    assert claims_in_turn(app, "i" * 22, [
        ("/de/a", {"text": "Umzug", "csrf_token": "one"}),
        # A second tab's token, or the kept copy sent again after an outage: the same input.
        ("/de/a", {"text": "Umzug", "csrf_token": "two", "sent_again": "1"}),
        # Back, changed, sent: a sending of its own, as is another button.
        ("/de/a", {"text": "Umzug ins Rathaus"}),
        ("/de/a", {"text": "Umzug", "action": "publish"}),
    ]) == [None, "/de/made/1", None, None]


def test_a_key_is_claimed_once_per_address_and_answers_with_what_the_first_sending_kept(app):
    assert claims_in_turn(app, "k" * 22, [("/de/a", {}), ("/de/a", {}), ("/de/b", {})]) == [None, "/de/made/1", None]


def test_a_claim_not_committed_leaves_the_key_to_the_next_sending(app):
    for commit in (False, True, True):
        context, form = sending(app, "/de/a", "r" * 22)
        try:
            answer = toolkit.claim_sending(form)
            if commit:
                toolkit.session().commit()
        finally:
            context.pop()
    assert answer == ""


def test_a_missing_or_malformed_key_is_replaced_by_a_fresh_one(app):
    keys = set()
    for key in (None, "", "<script>", "x" * 65, "ä" * 30):
        context, form = sending(app, "/de/a", key)
        try:
            assert form.sending_key.data != key and len(form.sending_key.data) >= 22
            keys.add(form.sending_key.data)
        finally:
            context.pop()
    assert len(keys) == 5
    with app.test_request_context("/de/a"):
        assert 'name="sending_key" type="hidden" value="' in str(MakingForm().sending_key)
        assert "id=" not in str(MakingForm().sending_key)


def test_purge_deletes_claims_older_than_a_day(app, db):
    now = utcnow()
    db.add_all([SentForm(claim="old", sent_at=now - timedelta(days=1, minutes=1), answer=""),
                SentForm(claim="new", sent_at=now - timedelta(hours=23), answer="")])
    db.commit()
    result = app.test_cli_runner().invoke(args=["purge"])
    assert "claims of sent forms: 1 deleted" in result.output, result.output
    db.expire_all()
    assert db.scalars(select(SentForm.claim)).all() == ["new"]


def test_the_delete_question_sends_the_page_key_with_a_delete_form_and_the_version_alone_for_an_older_page(app):
    macro = '{% from "macros/forms.html" import confirm_delete %}{{ confirm_delete(form, "/de/staff/") }}'
    with app.test_request_context("/de/staff/"):
        with_key = lxml.html.fromstring(render_template_string(macro, form=toolkit.DeleteForm(data={"version": 4})))
        version_alone = lxml.html.fromstring(render_template_string(macro, form=4))
    assert with_key.xpath("//input[@name='version']/@value") == ["4"]
    assert len(with_key.xpath("//input[@name='sending_key']/@value")[0]) >= 22
    assert version_alone.xpath("//input[@name='version']/@value") == ["4"]
    assert not version_alone.xpath("//input[@name='sending_key']")
