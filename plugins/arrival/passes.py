"""The arrival pass: a few public facts about an appointment, signed with Ed25519 and written in Base32.

Layout of the signed bytes (big-endian), followed by the 64-byte signature:
format (1, value 2), key id (2), public id (16), day as days since 2020-01-01
(2), window start and end in minutes after midnight, office time (2 + 2),
persons allowed (1). Nothing personal, and nothing of what the appointment is
about: the waiting room learns the service and an interpreter's language from
the table of issued passes, never from the pass.

Passes of format 1, issued before, are still read: they carried the service
group (1 + up to 40 ASCII bytes) and an interpreter's language (1 + up to 12)
after the persons, which are skipped.

Base32 without padding in upper case uses only characters of the QR code's
alphanumeric mode, so the pass and an upper-case address holding it make a
small code.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FORMAT = 2
# Letters printed before format 2 carry format 1, whose service group and interpreter's language are skipped.
EARLIER_FORMAT = 1
EPOCH = date(2020, 1, 1)
PUBLIC_ID_BYTES = 16
SIGNATURE_BYTES = 64
SHORT_CODE_LENGTH = 12
_HEAD = struct.Struct(">BH16sHHHB")


class NotGenuine(ValueError):
    """The text is no pass this portal signed: malformed, truncated, altered, or signed by an unknown key."""


@dataclass(frozen=True)
class PassFacts:
    """What a pass says: the appointment's random public id and when and how many may come in."""

    key_id: int
    public_id: bytes
    day: date
    window_start: time
    window_end: time
    persons: int

    def __post_init__(self):
        if len(self.public_id) != PUBLIC_ID_BYTES:
            raise ValueError(f"the public id has {PUBLIC_ID_BYTES} bytes")
        if not 0 <= self.key_id <= 0xFFFF or not 1 <= self.persons <= 255:
            raise ValueError("key id or persons out of range")
        if self.window_end <= self.window_start:
            raise ValueError("the arrival window ends after it starts")
        if not EPOCH <= self.day <= EPOCH + timedelta(days=0xFFFF):
            raise ValueError("day out of range")

    def to_bytes(self) -> bytes:
        """Return the bytes the signature covers."""
        return _HEAD.pack(FORMAT, self.key_id, self.public_id, (self.day - EPOCH).days, _minutes(self.window_start),
                          _minutes(self.window_end), self.persons)

    @classmethod
    def from_bytes(cls, data: bytes) -> PassFacts:
        """Read the signed bytes back; raise NotGenuine when they are not exactly one well-formed pass."""
        try:
            fmt, key_id, public_id, day, start, end, persons = _HEAD.unpack_from(data)
            if fmt == EARLIER_FORMAT:
                group_length = data[_HEAD.size]
                language_at = _HEAD.size + 1 + group_length
                end_of_pass = language_at + 1 + data[language_at]
            else:
                end_of_pass = _HEAD.size
            if fmt not in (FORMAT, EARLIER_FORMAT) or end_of_pass != len(data):
                raise NotGenuine("malformed pass")
            return cls(key_id=key_id, public_id=public_id, day=EPOCH + timedelta(days=day),
                       window_start=_time(start), window_end=_time(end), persons=persons)
        except (struct.error, IndexError, ValueError) as exc:
            raise NotGenuine("malformed pass") from exc


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _time(minutes: int) -> time:
    if minutes >= 24 * 60:
        raise ValueError("minutes past the day")
    return time(minutes // 60, minutes % 60)


def sign(facts: PassFacts, private_key: Ed25519PrivateKey) -> str:
    """Return the pass: the facts and their signature, Base32 in upper case without padding."""
    data = facts.to_bytes()
    return base64.b32encode(data + private_key.sign(data)).decode("ascii").rstrip("=")


def read(code: str, public_keys: dict[int, Ed25519PublicKey]) -> PassFacts:
    """Return the facts of a genuine pass; raise NotGenuine for anything else.

    Letters are read in either case and spaces and hyphens are ignored, since
    scanners and people type what they see.
    """
    text = normalized(code)
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError) as exc:
        raise NotGenuine("not Base32") from exc
    if len(raw) < SIGNATURE_BYTES + _HEAD.size:
        raise NotGenuine("too short")
    data, signature = raw[:-SIGNATURE_BYTES], raw[-SIGNATURE_BYTES:]
    facts = PassFacts.from_bytes(data)
    key = public_keys.get(facts.key_id)
    if key is None:
        raise NotGenuine("unknown key")
    try:
        key.verify(signature, data)
    except InvalidSignature as exc:
        raise NotGenuine("bad signature") from exc
    return facts


def normalized(code: str) -> str:
    """Return typed or scanned text in upper case without spaces and hyphens."""
    return re.sub(r"[\s-]", "", code).upper()


def short_code(public_id: bytes) -> str:
    """Return the code a person types at the door: the public id's first 60 bits in Base32, in groups of four."""
    letters = base64.b32encode(public_id).decode("ascii")[:SHORT_CODE_LENGTH]
    return "-".join(letters[i:i + 4] for i in range(0, SHORT_CODE_LENGTH, 4))


def public_id_text(public_id: bytes) -> str:
    """Return the public id as stored and shown: Base32 in upper case without padding."""
    return base64.b32encode(public_id).decode("ascii").rstrip("=")


def public_id_bytes(text: str) -> bytes:
    """Return the bytes of a public id as stored."""
    return base64.b32decode(text + "=" * (-len(text) % 8))


# Verdicts at the door. judge() decides those a pass alone can tell; door.check_in() adds the others.
NOT_GENUINE, ANOTHER_DAY, TOO_EARLY, VALID_NOW = "not_genuine", "another_day", "too_early", "valid_now"
CHANGED, ALREADY_CHECKED_IN = "changed", "already_checked_in"


@dataclass(frozen=True)
class Verdict:
    """What the door shows for a pass: one of the verdicts, when to come back if too early, when it came in."""

    kind: str
    facts: PassFacts | None = None
    come_back_at: time | None = None
    checked_in_at: datetime | None = None


def judge(code: str, public_keys: dict[int, Ed25519PublicKey], now: datetime) -> Verdict:
    """Judge a pass at the door at `now`, the office's local time.

    A pass is valid from the start of its window to the end of its day, so a
    client held up in the queue is still let in; before the window the client
    is told when to come back.
    """
    try:
        facts = read(code, public_keys)
    except NotGenuine:
        return Verdict(NOT_GENUINE)
    return judge_facts(facts, now)


def judge_facts(facts: PassFacts, now: datetime) -> Verdict:
    """Judge a genuine pass's facts by its day and arrival window at `now`, the office's local time."""
    if facts.day != now.date():
        return Verdict(ANOTHER_DAY, facts)
    if now.time() < facts.window_start:
        return Verdict(TOO_EARLY, facts, come_back_at=facts.window_start)
    return Verdict(VALID_NOW, facts)
