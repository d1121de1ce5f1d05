"""QR codes as inline SVG: read back exactly, as small as the data allows, scalable and safe to embed."""


import pytest
import zxingcpp

from portal import toolkit
from portal.testing import read_qr_svg

pytestmark = pytest.mark.database_independent

PASS_ADDRESS = "HTTPS://TERMINE.MUSTERSTADT.DE/P/" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" * 5 + "ABCDE"


@pytest.mark.parametrize("data", [
    PASS_ADDRESS,
    "http://localhost/ar/appointments/?ref=M-100001",
    "HTTP://127.0.0.1:5000/P/ABCD-EFGH",
    "https://termine.example.org/fa/تیکت/۱۲",
])
def test_a_drawn_code_reads_back_as_its_data(data):
    assert read_qr_svg(toolkit.qr_svg(data, "QR", "qr")).text == data


@pytest.mark.parametrize(("data", "error_correction"), [
    # A pass address fills its version 8 code at M: nothing stronger fits.
    (PASS_ADDRESS, "M"),
    # A short address leaves room in its smallest code, so the stronger Q costs nothing.
    ("HTTP://LOCALHOST/P/ABCD", "Q"),
])
def test_a_code_takes_the_strongest_error_correction_that_keeps_it_smallest(data, error_correction):
    drawn = read_qr_svg(toolkit.qr_svg(data, "QR", "qr"))
    smallest_at_m = zxingcpp.create_barcode(data, zxingcpp.BarcodeFormat.QRCode, ec_level="M").to_image(
        add_quiet_zones=False).shape[0]
    assert 17 + 4 * int(drawn.extra["Version"]) == smallest_at_m
    assert drawn.ec_level == error_correction


def test_the_pass_address_is_a_version_8_code_with_its_quiet_zone():
    svg = toolkit.qr_svg(PASS_ADDRESS, "QR", "qr")
    assert int(read_qr_svg(svg).extra["Version"]) == 8
    # Four modules of quiet zone on each side, three pixels a module until a stylesheet sizes it.
    assert 'viewBox="-4 -4 57 57" width="171" height="171"' in svg


def test_title_and_class_are_escaped():
    svg = toolkit.qr_svg("HTTP://LOCALHOST/P/ABCD", 'Pass <b>"1"</b>', 'qr" onload="x')
    assert '<title>Pass &lt;b&gt;&#34;1&#34;&lt;/b&gt;</title>' in svg
    assert 'class="qr&#34; onload=&#34;x"' in svg
    assert "<b>" not in svg and 'onload="x' not in svg
