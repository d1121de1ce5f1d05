"""Write the call display's chime (static/queue-display-chime.wav): two soft bell tones, made here, no recording.

Run ``python plugins/queue/chime.py`` after changing it; a test checks that the
committed file is what this module makes.
"""

from __future__ import annotations

import io
import math
import struct
import wave
from pathlib import Path

RATE = 16_000
# A falling major third, like a door chime: each tone with two overtones, each fading out.
TONES = ((0.0, 659.25), (0.45, 523.25))
TONE_SECONDS = 1.1
LENGTH_SECONDS = 1.6
VOLUME = 0.55
TARGET = Path(__file__).with_name("static") / "queue-display-chime.wav"


def _sample(t: float) -> float:
    value = 0.0
    for start, frequency in TONES:
        age = t - start
        if 0 <= age < TONE_SECONDS:
            # A 5 ms attack avoids a click; the exponential decay makes it a bell rather than a beep.
            envelope = min(1.0, age / 0.005) * math.exp(-4.0 * age)
            value += envelope * (math.sin(2 * math.pi * frequency * age)
                                 + 0.3 * math.sin(4 * math.pi * frequency * age)
                                 + 0.1 * math.sin(6 * math.pi * frequency * age))
    return value / 1.4


def chime_wav() -> bytes:
    """Return the chime as a mono 16-bit WAV file."""
    frames = b"".join(struct.pack("<h", round(32767 * VOLUME * max(-1.0, min(1.0, _sample(n / RATE)))))
                      for n in range(int(RATE * LENGTH_SECONDS)))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(frames)
    return buffer.getvalue()


if __name__ == "__main__":
    TARGET.write_bytes(chime_wav())
    print(f"wrote {TARGET} ({TARGET.stat().st_size} bytes)")
