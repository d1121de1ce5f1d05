"""Kept pages compressed once, with each answer's own token and key put in."""

import gzip
import os

import pytest
from flask import Flask

from portal.compression import PrecompressedPage

pytestmark = pytest.mark.database_independent

TOKEN, KEY = b"@@token@@", b"@@key@@"


@pytest.mark.parametrize("length", [0, 1, 43, 65_535, 65_536, 140_000])
def test_a_kept_page_with_its_replacements_put_in_decompresses_to_the_page_as_if_rendered(length):
    parts = [b"<p>" + os.urandom(3_000).hex().encode(), b"</p><input value=\"", b"\"><p>tail</p>"]
    page = PrecompressedPage(parts[0] + TOKEN + parts[1] + KEY + parts[2] + TOKEN, (TOKEN, KEY))
    token, key = os.urandom(length), os.urandom(7)
    expected = parts[0] + token + parts[1] + key + parts[2] + token
    assert page.body((token, key)) == expected
    assert gzip.decompress(page.gzipped((token, key))) == expected


@pytest.mark.parametrize("encoding", ["gzip", "identity"])
def test_a_replacement_whose_stand_in_the_page_does_not_hold_is_not_made(encoding):
    made = []

    def maker(name):
        return lambda: made.append(name) or name.encode()

    page = PrecompressedPage(b"<form>" * 200 + TOKEN + b"</form>", (TOKEN, KEY))
    with Flask(__name__).test_request_context(headers={"Accept-Encoding": encoding}):
        answer = page.response((maker("token"), maker("key")), "200 OK", [("Content-Type", "text/html")])
    body = gzip.decompress(answer.get_data()) if answer.content_encoding == "gzip" else answer.get_data()
    assert body == b"<form>" * 200 + b"token</form>"
    assert made == ["token"]
