"""Every recorded modem conversation in fixtures/transcripts/ replays through the driver.

Each file says what to call and what must come out, in its header:

    # vendor: quectel            profile override (omitted: detected from +CGMI/+CGMM)
    # call: pin_retries           Modem method
    # args: ("1234",)             Python literal tuple (optional)
    # safety: unrestricted        policy for the call (optional; default strict)
    # expect: pin1=3 puk1=10      attribute paths of the result (`0.text`, `len`) = value
    # expect: READY               or the result itself (Enum name or value, str)
    # raises: WrongPinError       or the error it must raise (attributes via expect)

The stream answers each command with the recorded reply; the test fails on a
command the recording does not have and on recorded commands left unsent (so a
refusal by the safety gate is proven to have sent nothing after its read).
Adding a file adds a test.
"""

from __future__ import annotations

import ast
import shlex
from enum import Enum
from pathlib import Path

import pytest

import harness.errors
from harness.modem import Modem, ReplayScript, ReplayStream
from harness.safety import SafetyPolicy

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"
SCRIPTS = sorted(ROOT.glob("*/*.txt"))


def _render(value: object) -> set[str]:
    if isinstance(value, Enum):
        return {str(value.name), str(value.value)}
    return {str(value)}


def _resolve(value: object, path: str) -> object:
    for part in path.split("."):
        if part == "len":
            value = len(value)  # type: ignore[arg-type]
        elif part.isdigit():
            value = value[int(part)]  # type: ignore[index]
        else:
            value = getattr(value, part)
    return value


def _check(result: object, expect: str) -> None:
    for token in shlex.split(expect):
        path, sep, wanted = token.partition("=")
        if not sep:
            assert wanted in _render(result) or path in _render(result), (result, path)
            continue
        actual = _resolve(result, path)
        assert wanted in _render(actual), f"{path}: got {actual!r}, recorded {wanted!r}"


def test_there_is_a_recording_per_vendor() -> None:
    vendors = {path.parent.name for path in SCRIPTS}
    assert {"generic", "quectel", "simcom", "huawei", "sierra", "telit", "ublox"} <= vendors


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_replay(path: Path) -> None:
    script = ReplayScript.load(path)
    meta = script.meta
    assert "call" in meta, f"{path}: no '# call:' header"
    stream = ReplayStream(script)
    safety = (
        SafetyPolicy.unrestricted("recorded conversation")
        if meta.get("safety") == "unrestricted"
        else SafetyPolicy.strict()
    )
    args = ast.literal_eval(meta["args"]) if "args" in meta else ()
    with Modem(stream, vendor=meta.get("vendor"), safety=safety, default_timeout=2.0) as modem:
        if "profile" in meta:
            assert modem.profile.name == meta["profile"]
        method = getattr(modem, meta["call"])
        if "raises" in meta:
            error = getattr(harness.errors, meta["raises"])
            with pytest.raises(error) as caught:
                method(*args)
            result: object = caught.value
            assert "1234" not in str(result)
        else:
            result = method(*args)
        if "expect" in meta:
            _check(result, meta["expect"])
    assert not stream.mismatches, stream.mismatches
    assert stream.finished, f"recorded but never sent: {stream.remaining}"
