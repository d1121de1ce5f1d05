import base64
import io
import struct
from datetime import date, time

import pytest
import segno
from portal_plugins.arrival import keys
from portal_plugins.arrival.door import issue
from portal_plugins.arrival.passes import PassFacts

from portal import toolkit

# Chromium's fake camera films pictures of this size (width, height), grey, one byte a pixel.
CAMERA_SIZE = (640, 480)


@pytest.fixture(scope="session")
def portal_config():
    """The arrival plugin alone."""
    return {"plugins": ["arrival"]}


@pytest.fixture
def signing_key(data, today):
    """Return signing_key(): the id and private key that sign passes, made the first time it is asked."""
    return lambda: data(lambda session: keys.signing_key_made_if_none(today))


@pytest.fixture
def make_pass(app, data, signing_key):
    """Return make(**changes): issue a pass for today's office date, signed by the portal's key."""
    def make(**changes):
        with app.app_context():
            today = toolkit.office_today()
        key_id, private_key = signing_key()
        facts = PassFacts(**{"key_id": key_id, "public_id": bytes(range(16)), "day": today,
                             "window_start": time(0), "window_end": time(23, 59), "persons": 2, **changes})
        return data(lambda session: issue(facts, private_key, "residence")), facts

    return make


def format_1_bytes(facts: PassFacts, service_group: str, interpreter_language: str) -> bytes:
    """Return the signed bytes of a pass as format 1 laid them out: the service and a language after the persons."""
    head = struct.pack(">BH16sHHHBB", 1, facts.key_id, facts.public_id, (facts.day - date(2020, 1, 1)).days,
                       facts.window_start.hour * 60 + facts.window_start.minute,
                       facts.window_end.hour * 60 + facts.window_end.minute, facts.persons, len(service_group))
    return head + service_group.encode() + bytes([len(interpreter_language)]) + interpreter_language.encode()


def signed(facts_bytes: bytes, private_key) -> str:
    """Return a pass of any signed bytes, as sign() writes one."""
    return base64.b32encode(facts_bytes + private_key.sign(facts_bytes)).decode().rstrip("=")


def qr_code_picture(text, module=8):
    """Return the camera's picture of a QR code for text, drawn on white."""
    width, height = CAMERA_SIZE
    matrix = segno.make(text, error="m", micro=False).matrix
    quiet = 4
    size = (len(matrix) + 2 * quiet) * module
    left, top = (width - size) // 2, (height - size) // 2
    luma = bytearray(b"\xff" * (width * height))
    for row_index, row in enumerate(matrix):
        for column_index, dark in enumerate(row):
            if not dark:
                continue
            x = left + (column_index + quiet) * module
            for y in range(top + (row_index + quiet) * module, top + (row_index + quiet + 1) * module):
                luma[y * width + x:y * width + x + module] = b"\x00" * module
    return bytes(luma)


def screenshot_picture(png):
    """Return the camera's picture of a screenshot (PNG), centred on white, shrunk only if it does not fit."""
    image = pytest.importorskip("PIL.Image", reason="Pillow reads the screenshot (test extras)")
    shot = image.open(io.BytesIO(png)).convert("L")
    shot.thumbnail(CAMERA_SIZE)
    canvas = image.new("L", CAMERA_SIZE, 255)
    canvas.paste(shot, ((CAMERA_SIZE[0] - shot.width) // 2, (CAMERA_SIZE[1] - shot.height) // 2))
    return canvas.tobytes()


def write_camera_video(picture, path, frames=5):
    """Write a Y4M video (4:2:0) showing the picture still, as Chromium's fake camera plays it."""
    width, height = CAMERA_SIZE
    chroma = b"\x80" * (width // 2 * height // 2)
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for _ in range(frames):
            video.write(b"FRAME\n" + picture + chroma + chroma)


@pytest.fixture
def camera_browser(browser_type, browser_type_launch_args, tmp_path):
    """Return launch(picture): a Chromium whose fake camera films the picture, closed after the test."""
    launched = []

    def launch(picture):
        video = tmp_path / f"camera-{len(launched)}.y4m"
        write_camera_video(picture, video)
        launched.append(browser_type.launch(**{**browser_type_launch_args, "args": [
            *browser_type_launch_args.get("args", []), "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream", f"--use-file-for-fake-video-capture={video}"]}))
        return launched[-1]

    yield launch
    for browser in launched:
        browser.close()
