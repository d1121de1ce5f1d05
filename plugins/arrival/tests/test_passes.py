"""Passes: signed, read back, and every crafted pass judged without trusting it."""

import base64
import os
from datetime import date, datetime, time

import pytest
import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from portal_plugins.arrival.passes import (
    ANOTHER_DAY,
    NOT_GENUINE,
    TOO_EARLY,
    VALID_NOW,
    NotGenuine,
    PassFacts,
    judge,
    read,
    short_code,
    sign,
)

from portal import toolkit
from portal.testing import read_qr_svg

from .conftest import format_1_bytes, signed

pytestmark = pytest.mark.database_independent

KEY = Ed25519PrivateKey.generate()
OTHER_KEY = Ed25519PrivateKey.generate()
DAY = date(2026, 12, 2)
FACTS = PassFacts(key_id=1, public_id=bytes(range(16)), day=DAY, window_start=time(9, 30),
                  window_end=time(10, 0), persons=2)
KEYS = {1: KEY.public_key()}


def test_a_signed_pass_reads_back_and_holds_nothing_but_its_facts():
    code = sign(FACTS, KEY)
    assert read(code, KEYS) == FACTS
    # Format, key id, public id, day, window and persons: 26 bytes, then the signature. Nothing of the service.
    assert len(base64.b32decode(code + "=" * (-len(code) % 8))) == 26 + 64
    assert code == code.upper() and "=" not in code
    assert segno.make(code, error="m").mode == "alphanumeric"


@pytest.mark.parametrize(("service_group", "interpreter_language"), [("residence", "ar"), ("", ""),
                                                                   ("naturalisation-certificate-handover", "")])
def test_a_pass_of_format_1_on_a_letter_printed_before_is_read_by_its_facts_alone(service_group,
                                                                                 interpreter_language):
    earlier = signed(format_1_bytes(FACTS, service_group, interpreter_language), KEY)
    assert read(earlier, KEYS) == FACTS
    assert judge(earlier, KEYS, datetime(2026, 12, 2, 9, 45)).kind == VALID_NOW


def test_a_pass_is_read_as_people_and_scanners_type_it():
    code = sign(FACTS, KEY)
    spaced = " ".join(code[i:i + 5] for i in range(0, len(code), 5)).lower()
    assert read(spaced, KEYS) == FACTS


def _flip(code: str, position: int) -> str:
    replacement = "A" if code[position] != "A" else "B"
    return code[:position] + replacement + code[position + 1:]


@pytest.mark.parametrize("crafted", [
    pytest.param(lambda code: _flip(code, 10), id="altered facts"),
    pytest.param(lambda code: _flip(code, len(code) - 3), id="altered signature"),
    pytest.param(lambda code: code[:-8], id="truncated"),
    pytest.param(lambda code: code[:40], id="truncated to the facts"),
    pytest.param(lambda code: code + "AAAAAAAA", id="lengthened"),
    pytest.param(lambda code: sign(FACTS, OTHER_KEY), id="signed by another key"),
    pytest.param(lambda code: sign(PassFacts(**{**FACTS.__dict__, "key_id": 7}), KEY), id="unknown key id"),
    pytest.param(lambda code: signed(FACTS.to_bytes() + b"x", KEY), id="trailing bytes signed"),
    pytest.param(lambda code: signed(b"\x03" + FACTS.to_bytes()[1:], KEY), id="unknown format"),
    pytest.param(lambda code: signed(b"\x01" + FACTS.to_bytes()[1:], KEY), id="format 1 without its service"),
    pytest.param(lambda code: signed(format_1_bytes(FACTS, "residence", "ar") + b"x", KEY),
                 id="format 1 with trailing bytes"),
    pytest.param(lambda code: signed(format_1_bytes(FACTS, "residence", "ar")[:-1], KEY), id="format 1 cut short"),
    pytest.param(lambda code: base64.b32encode(os.urandom(100)).decode().rstrip("="), id="random"),
    pytest.param(lambda code: "", id="empty"),
    pytest.param(lambda code: "HTTPS://EXAMPLE.ORG/", id="not Base32"),
    pytest.param(lambda code: code[:-1] + "1", id="letter outside Base32"),
])
def test_a_crafted_pass_is_not_genuine(crafted):
    code = crafted(sign(FACTS, KEY))
    with pytest.raises(NotGenuine):
        read(code, KEYS)
    assert judge(code, KEYS, datetime(2026, 12, 2, 9, 45)).kind == NOT_GENUINE


@pytest.mark.parametrize(("now", "kind", "come_back_at"), [
    (datetime(2026, 12, 2, 7, 10), TOO_EARLY, time(9, 30)),
    (datetime(2026, 12, 2, 9, 29), TOO_EARLY, time(9, 30)),
    (datetime(2026, 12, 2, 9, 30), VALID_NOW, None),
    (datetime(2026, 12, 2, 11, 0), VALID_NOW, None),
    (datetime(2026, 12, 1, 9, 45), ANOTHER_DAY, None),
    (datetime(2026, 12, 3, 9, 45), ANOTHER_DAY, None),
])
def test_a_genuine_pass_is_judged_by_its_day_and_window(now, kind, come_back_at):
    verdict = judge(sign(FACTS, KEY), KEYS, now)
    assert (verdict.kind, verdict.come_back_at) == (kind, come_back_at)
    assert verdict.facts == FACTS


def test_the_short_code_is_twelve_letters_of_the_public_id_in_groups():
    code = short_code(FACTS.public_id)
    assert code == "AAAQ-EAYE-AUDA"
    assert code.replace("-", "") == base64.b32encode(FACTS.public_id).decode()[:12]


@pytest.mark.parametrize("change", [
    {"public_id": b"short"}, {"persons": 0}, {"window_end": time(9, 0)}, {"day": date(2019, 12, 31)},
])
def test_facts_that_cannot_be_signed_are_refused(change):
    with pytest.raises(ValueError):
        PassFacts(**{**FACTS.__dict__, **change})


def test_a_realistic_pass_address_is_drawn_as_a_version_7_code_at_most():
    address = f"HTTPS://TERMINE.MUSTERSTADT.DE/P/{sign(FACTS, KEY)}"
    assert segno.make(address, error="m", boost_error=False).mode == "alphanumeric"
    drawn = read_qr_svg(toolkit.qr_svg(address, "QR", "qr"))
    assert drawn.text == address
    assert int(drawn.extra["Version"]) <= 7
