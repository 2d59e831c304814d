"""Transcript: masking at the source (property-tested), renderings, listeners, threads."""

from __future__ import annotations

import itertools
import json
import threading
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from harness.secrets import mask_at_command
from harness.transcript import Channel, Direction, Transcript, TranscriptEntry

EPOCH = 0.25  # 1970-01-01T00:00:00.250Z: few digit runs a PIN could collide with


def fixed_clock() -> float:
    return EPOCH


def pad8(secret: str) -> bytes:
    return secret.encode("latin-1").ljust(8, b"\xff")


# (template, non-secret parts that must survive). {pin}/{puk}/{new} are text secrets;
# {pinhex}/{pukhex}/{newhex} are the same secrets as the APDU data a modem tunnels.
TEXT_FORMS = [
    ('AT+CPIN="{pin}"', ["AT+CPIN="]),
    ("at+cpin={pin}", ["at+cpin="]),
    ('AT+CPIN = "{pin}"', ["AT+CPIN = "]),
    ('AT+CPIN="{puk}","{new}"', ["AT+CPIN=", ","]),
    ("AT+CPIN={puk},{new}", ["AT+CPIN="]),
    ('AT+CMEE=1;+CPIN="{pin}"', ["AT+CMEE=1;+CPIN="]),
    ('AT+CPIN="{pin}";+CPIN?', ["AT+CPIN=", ";+CPIN?"]),
    ('AT+CLCK="SC",1,"{pin}"', ['AT+CLCK="SC",1,']),
    ('AT+CLCK="SC",0,"{pin}",7', ['AT+CLCK="SC",0,', ",7"]),
    ('at+clck = "fd" , 1 , {pin}', ['at+clck = "fd" , 1 , ']),
    ('AT+CPWD="SC","{pin}","{new}"', ['AT+CPWD="SC",']),
    ('AT+CPWD="P2",{pin},{new}', ['AT+CPWD="P2",']),
    ('AT^CPIN="{pin}"', ["AT^CPIN="]),
    ('AT^CPIN="{puk}","{new}"', ["AT^CPIN="]),
    ('AT+CPIN2="{pin}"', ["AT+CPIN2="]),
    ('AT#PCT="{pin}"', ["AT#PCT="]),
]
HEX_FORMS = [
    ('AT+CSIM=26,"0020000108{pinhex}"', ['AT+CSIM=26,"0020000108']),
    ('AT+CSIM=26,"A020008108{pinhex}"', ['AT+CSIM=26,"A020008108']),
    ('AT+CSIM=42,"8024000110{pinhex}{newhex}"', ['"8024000110']),
    ('AT+CSIM=26,"0026000108{pinhex}"', ['"0026000108']),
    ('AT+CSIM=26,"0028000108{pinhex}"', ['"0028000108']),
    ('AT+CSIM=42,"002C000110{pukhex}{newhex}"', ['"002C000110']),
    ('at+cmee=1;+csim=42,"a02c000010{pukhex}{newhex}"', ['at+cmee=1;+csim=42,"a02c000010']),
    ('AT+CGLA=1,26,"0120000108{pinhex}"', ['AT+CGLA=1,26,"0120000108']),
]

pins = st.text("0123456789", min_size=4, max_size=8)
puks = st.text("0123456789", min_size=8, max_size=8)


def fill(template: str, pin: str, puk: str, new: str, *, lower: bool) -> str:
    def hexed(value: bytes) -> str:
        text = value.hex()
        return text if lower else text.upper()

    return template.format(
        pin=pin,
        puk=puk,
        new=new,
        pinhex=hexed(pad8(pin)),
        pukhex=hexed(pad8(puk)),
        newhex=hexed(pad8(new)),
    )


def needles(template: str, pin: str, puk: str, new: str) -> list[str]:
    """How each secret in `template` would show up if it leaked (digits, or their hex)."""
    used = [s for key, s in (("pin", pin), ("puk", puk), ("new", new)) if key in template]
    if "hex}" in template:
        return [s.encode().hex() for s in used]
    return used


def record_chunked(line: bytes, cuts: list[int], direction: Direction) -> Transcript:
    transcript = Transcript(clock=fixed_clock)
    points = sorted({c % (len(line) + 1) for c in cuts} | {0, len(line)})
    for start, end in itertools.pairwise(points):
        transcript.record(Channel.AT, direction, line[start:end])
    return transcript


def renderings(transcript: Transcript) -> list[str]:
    data = b"".join(entry.data for entry in transcript.entries)
    return [
        transcript.render_text(),
        transcript.render_jsonl(),
        data.decode("latin-1"),
        data.hex(),
        repr(transcript.entries),
    ]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_no_rendering_contains_a_secret(data: st.DataObject) -> None:
    template, survivors = data.draw(st.sampled_from(TEXT_FORMS + HEX_FORMS), "form")
    secrets = {"pin": data.draw(pins, "pin"), "puk": data.draw(puks, "puk"), "new": data.draw(pins)}
    direction = data.draw(st.sampled_from(list(Direction)), "direction")
    ending = data.draw(st.sampled_from(["", "\r", "\r\n", "\n"]), "ending")
    cuts = data.draw(st.lists(st.integers(min_value=0, max_value=200), max_size=6), "cuts")
    lower = data.draw(st.booleans(), "lower-case hex")

    suffix = ending + ("\r\nOK\r\n" if direction is Direction.RX else "")  # RX = modem echo
    raw = (fill(template, **secrets, lower=lower) + suffix).encode()
    leaks = needles(template, **secrets)
    # The generator really embeds the secrets, so a masker that did nothing would fail below.
    assert all(leak in raw.decode().lower() for leak in leaks)

    # The same line with letters for secrets: the masked rendering must not depend on the value.
    letters = {key: chr(ord("X") + i) * len(v) for i, (key, v) in enumerate(secrets.items())}
    dummy = (fill(template, **letters, lower=lower) + suffix).encode()
    skeleton = record_chunked(dummy, cuts, direction)
    for leak in leaks:  # skip a coincidence with the fixed parts (clock, APDU header)
        assume(all(leak not in text.lower() for text in renderings(skeleton)))

    transcript = record_chunked(raw, cuts, direction)
    for text in renderings(transcript):
        for leak in leaks:
            assert leak not in text.lower()
    assert renderings(transcript) == renderings(skeleton)

    masked = b"".join(entry.data for entry in transcript.entries)
    assert masked == mask_at_command(raw)  # chunking does not change the result
    marker = b"*" * 16 if "hex}" in template else b'"****"'
    assert marker in masked
    for part in survivors:
        assert part.encode() in masked


def trace_apdu(header: bytes, data: bytes) -> Transcript:
    transcript = Transcript(clock=fixed_clock)
    trace = transcript.apdu_tracer()
    trace(Direction.TX, header + bytes([len(data)]) + data)
    trace(Direction.RX, bytes.fromhex("9000"))
    return transcript


@settings(max_examples=200, deadline=None)
@given(
    cla=st.sampled_from([0x00, 0x80, 0xA0, 0x01]),
    ins=st.sampled_from([0x20, 0x24, 0x26, 0x28, 0x2C]),
    p2=st.sampled_from([0x01, 0x81, 0x0A, 0x02]),
    pin=pins,
    puk=puks,
)
def test_apdu_tracer_masks_secret_data(cla: int, ins: int, p2: int, pin: str, puk: str) -> None:
    header = bytes([cla, ins, 0x00, p2])
    two = ins in (0x24, 0x2C)  # CHANGE / UNBLOCK carry two values
    data = pad8(puk) + pad8(pin) if two else pad8(pin)
    dummy = pad8("Y" * 8) + pad8("Z" * len(pin)) if two else pad8("Z" * len(pin))
    shown = [s.encode() for s in ((pin, puk) if two else (pin,))]
    leaks = [f(s) for s in shown for f in (bytes.hex, lambda b: b.hex(" ").upper())]
    skeleton = trace_apdu(header, dummy)
    for leak in leaks:  # skip a coincidence with the header hex
        assume(all(leak not in text for text in renderings(skeleton)))

    transcript = trace_apdu(header, data)
    sent, answer = transcript.entries
    assert sent.data == header + bytes([len(data)]) + b"*" * len(data)
    assert answer.data == b"\x90\x00"  # responses are kept as they are
    assert all(secret not in sent.data for secret in shown)
    for text in renderings(transcript):
        for leak in leaks:
            assert leak not in text
    assert renderings(transcript) == renderings(skeleton)


def test_empty_verify_is_kept() -> None:
    transcript = Transcript(clock=fixed_clock)
    transcript.apdu_tracer()(Direction.TX, bytes.fromhex("0020000100"))
    assert transcript.entries[0].data == bytes.fromhex("0020000100")


def test_render_text_one_line_per_entry() -> None:
    transcript = Transcript(clock=fixed_clock)
    transcript.record(Channel.AT, Direction.TX, b"AT+CSQ\r")
    transcript.record(Channel.AT, Direction.RX, b"\r\n+CSQ: 20,99\r\n\\\x00", note="signal")
    transcript.record(Channel.APDU, Direction.TX, bytes.fromhex("00a40004023f00"))
    assert transcript.render_text().splitlines() == [
        "1970-01-01T00:00:00.250Z -> at   AT+CSQ\\r",
        "1970-01-01T00:00:00.250Z <- at   \\r\\n+CSQ: 20,99\\r\\n\\\\\\x00  # signal",
        "1970-01-01T00:00:00.250Z -> apdu 00 A4 00 04 02 3F 00",
    ]


def test_render_jsonl_is_lossless() -> None:
    transcript = Transcript(clock=fixed_clock)
    transcript.record(Channel.AT, Direction.RX, b"\r\nOK\r\n\xfe")
    transcript.record(Channel.APDU, Direction.RX, b"\x63\xc2")
    first, second = (json.loads(line) for line in transcript.render_jsonl().splitlines())
    assert first == {
        "time": "1970-01-01T00:00:00.250Z",
        "ts": EPOCH,
        "dir": "rx",
        "channel": "at",
        "data": "\r\nOK\r\n\xfe",
        "note": "",
    }
    assert first["data"].encode("latin-1") == b"\r\nOK\r\n\xfe"
    assert second["data"] == "63c2"


def test_note_is_masked_too() -> None:
    transcript = Transcript(clock=fixed_clock)
    entry = transcript.record(Channel.AT, Direction.TX, b"", note='retry of AT+CPIN="9876"')
    assert "9876" not in entry.note


def test_write_text_and_jsonl(tmp_path: Path) -> None:
    transcript = Transcript(clock=fixed_clock)
    transcript.record(Channel.AT, Direction.TX, b'AT+CPIN="1234"\r')
    text = transcript.write(tmp_path / "t" / "log.txt")
    jsonl = transcript.write(tmp_path / "log.jsonl", fmt="jsonl")
    assert text.read_text() == transcript.render_text()
    assert json.loads(jsonl.read_text())["data"] == 'AT+CPIN="****"\r'
    with pytest.raises(ValueError, match="jsonl"):
        transcript.write(tmp_path / "x", fmt="xml")  # type: ignore[arg-type]


def test_listeners_stream_entries_and_a_failing_one_does_not_break_recording() -> None:
    transcript = Transcript(clock=fixed_clock)
    seen: list[TranscriptEntry] = []

    def broken(entry: TranscriptEntry) -> None:
        raise OSError("disk full")

    transcript.add_listener(broken)
    transcript.add_listener(seen.append)
    entry = transcript.record(Channel.AT, Direction.TX, b'AT+CLCK="SC",1,"1234"\r')
    assert seen == [entry]
    assert entry.data == b'AT+CLCK="SC",1,"****"\r'
    transcript.remove_listener(seen.append)
    transcript.record(Channel.AT, Direction.TX, b"AT\r")
    assert len(seen) == 1


def test_concurrent_recording_keeps_every_entry_and_listener_order() -> None:
    transcript = Transcript()
    seen: list[TranscriptEntry] = []
    transcript.add_listener(seen.append)
    per_thread = 500

    def worker(direction: Direction) -> None:
        for i in range(per_thread):
            transcript.record(Channel.AT, direction, f"{direction.value}{i}\n".encode())

    threads = [threading.Thread(target=worker, args=(d,)) for d in Direction]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    entries = transcript.entries
    assert len(entries) == 2 * per_thread
    assert list(entries) == seen
    for direction in Direction:
        mine = [e.data for e in entries if e.direction is direction]
        assert mine == [f"{direction.value}{i}\n".encode() for i in range(per_thread)]
