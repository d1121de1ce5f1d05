"""The house rules in Leichte Sprache: one part for each rule in force, with its numbers and its place."""

from datetime import timedelta
from decimal import Decimal

from portal.testing import assert_easy_to_read, easy_page_text


def test_each_rule_in_force_is_explained_with_its_numbers_in_german(client, add_rule, today):
    add_rule("persons_per_room", persons=2)
    add_rule("distance", metres=Decimal("1.5"))
    add_rule("mask", location="Wacker Hof")
    add_rule("payment", starts_on=today + timedelta(days=3))
    response = client.get("/ar/hygiene/leicht")
    text = easy_page_text(response.get_data(as_text=True))
    assert "In einem Raum dürfen höchstens 2 Menschen zusammen sein." in text
    assert "Bleiben Sie mindestens 1,5 Meter weg von anderen Menschen." in text
    assert "Tragen Sie im Amt eine Maske." in text
    assert "Diese Regel gilt nur im Gebäude Wacker Hof." in text
    assert "Bar-Geld" not in text
    assert_easy_to_read(response.get_data(as_text=True))


def test_a_rule_without_its_number_leaves_out_the_sentence_that_needs_it(client, add_rule):
    add_rule("persons_per_room", persons=None)
    text = easy_page_text(client.get("/de/hygiene/leicht").get_data(as_text=True))
    assert "Menschen in einem Raum" in text
    assert "{persons}" not in text and "höchstens" not in text


def test_a_rule_of_another_kind_points_to_the_page_of_all_rules(client, add_rule, parse):
    add_rule("other", text={"de": "Bitte keine Hunde mitbringen."})
    page = parse(client.get("/de/hygiene/leicht"))
    assert "Es gibt noch eine andere Regel." in page.text_content()
    assert page.xpath("//main//a[@href='/de/hygiene/']")


def test_without_rules_the_page_says_so(client):
    assert "Im Moment gibt es keine besonderen Regeln." in easy_page_text(
        client.get("/de/hygiene/leicht").get_data(as_text=True))
