"""Secrets (PIN, PUK, ADM): a wrapper that never prints, where to get one, and masking.

Masking happens at the source: the transcript, the AT engine and the APDU links
pass every byte through these functions before it is stored or quoted, so a
raw secret never reaches a log, a transcript, JUnit XML or an exception text.

Rules (the same for every caller):

* AT: the secret fields of ``+CPIN``, ``+CPIN2``, ``^CPIN``, ``#PCT``,
  ``^CARDLOCK``, the vendor PIN commands ``%CPIN``, ``$QCPIN``, ``*EPIN`` (every
  field), ``+CLCK`` (the passwd only; fac, mode and class stay), ``+CPWD`` (old
  and new), ``+CACM``/``+CAMM``/``+CPUC`` (their PIN2 passwd) each become
  ``"****"``: fixed length, so the PIN length does not leak. Commands are found
  anywhere in a line (``AT+CMEE=1;+CPIN="1234"``), any case, quoted or not, with
  spaces; ``=?`` test commands stay.
* AT: the MMI procedures of TS 22.030 that carry a secret (``**04*``,
  ``**042*`` change PIN/PIN2 and ``**05*``, ``**052*`` unblock, §6.6; ``**03*``
  change the call-barring password, §6.5.4; ``*33*``, ``#331*``... call barring
  with its password, Annex B), anywhere in a line (``ATD``, ``+CUSD``): what
  follows the procedure code up to ``#``, ``;`` or a quote becomes ``"****"``.
* AT ``+CSIM``/``+CGLA`` carrying a VERIFY/CHANGE/DISABLE/ENABLE/UNBLOCK APDU:
  the 5-byte header stays, every later hex digit becomes ``*``.
  ``+CRSM`` never carries a secret and is left alone.
* APDU bytes: for an instruction in `SECRET_INS` (any CLA, any P1/P2) the
  header and Lc/Le stay and every data byte becomes ``0x2A`` (``*``), so a
  hex rendering shows ``2A 2A ..`` -- a value no PIN digit ('0'..'9' =
  0x30..0x39) or padding (0xFF) can be confused with. An empty-data VERIFY
  (the retry-counter query) is unchanged.
"""

from __future__ import annotations

import getpass
import logging
import os
import re
import stat
import sys
from pathlib import Path
from typing import NoReturn

from harness.errors import ConfigError
from harness.secret_ins import SECRET_INS

log = logging.getLogger(__name__)

MASK = '"****"'
"""What a masked AT secret field becomes."""

MASK_BYTE = 0x2A
"""What each data byte of a secret APDU becomes ('*')."""

# Command name (prefix + upper-case name) -> indexes of secret fields; None = every field.
_SECRET_FIELDS: dict[str, tuple[int, ...] | None] = {
    "+CPIN": None,
    "+CPIN2": None,
    "^CPIN": None,
    "#PCT": None,
    "^CARDLOCK": None,
    "%CPIN": None,  # vendor PIN entry forms (every field)
    "$QCPIN": None,
    "*EPIN": None,
    "+CLCK": (2,),
    "+CPWD": (1, 2),
    "+CACM": (0,),
    "+CAMM": (1,),
    "+CPUC": (2,),
}
# Commands that tunnel an APDU as hex -> index of the APDU field.
_APDU_FIELD: dict[str, int] = {"+CSIM": 1, "+CGLA": 2}

# An extended command and its '='; never crosses a line end.
_COMMAND = re.compile(r"([+^#%$*])[ \t]*([A-Za-z][A-Za-z0-9]*)[ \t]*=", re.ASCII)
# An MMI procedure that carries a secret and its supplementary information: PIN change
# and unblock (TS 22.030 §6.6.2, §6.6.3), the call-barring password change (§6.5.4) and
# barring (de)activation with that password (Annex B codes 33, 331, 332, 35, 351, 330,
# 333, 353). An earlier mask counts as the information, so masking twice changes nothing.
_MMI = re.compile(
    r"(\*\*0[45]2?\*|\*\*?03\*|(?:\*|#)(?:33[0-3]?|35[13]?)\*)"
    r'(?:"\*\*\*\*"|[^#;"\r\n\x1a\x1b]*)'
)
_HEX = frozenset("0123456789abcdefABCDEF")
_HEADER_HEX = 10  # CLA INS P1 P2 Lc
_LINE_ENDS = "\r\n\x1a\x1b"  # CR, LF, and the Ctrl-Z / ESC that end an SMS prompt
_FIRST_LINE_END = re.compile("[\r\n\x1a\x1b]")


def mask_text(text: str) -> str:
    """Return `text` with every AT secret masked (see the module rules)."""
    out: list[str] = []
    pos = 0
    while (match := _COMMAND.search(text, pos)) is not None:
        name = match.group(1) + match.group(2).upper()
        out.append(text[pos : match.end()])
        pos = match.end()
        if name not in _SECRET_FIELDS and name not in _APDU_FIELD:
            continue
        spans, end = _split_fields(text, pos)
        if text[pos:end].strip() != "?":
            out.append(_mask_fields(text, name, spans))
            pos = end
    out.append(text[pos:])
    return _MMI.sub(lambda found: found.group(1) + MASK, "".join(out))


def shown_command(cmd: str) -> str:
    """A command line as an error or log shows it: masked, and cut at its first line
    end (masking stops at one, so what follows could be the rest of a PIN)."""
    end = _FIRST_LINE_END.search(cmd)
    return mask_text(cmd) if end is None else mask_text(cmd[: end.start()]) + " ..."


def mask_at_command(line: bytes) -> bytes:
    """Byte version of `mask_text`; latin-1 keeps every byte that is not masked."""
    return mask_text(line.decode("latin-1")).encode("latin-1")


def mask_apdu(raw: bytes) -> bytes:
    """Return a command APDU with its data replaced by 0x2A when INS is a secret one."""
    if len(raw) <= 5 or raw[1] not in SECRET_INS:
        return bytes(raw)
    start, lc, trailer = 5, raw[4], 1
    if lc == 0:  # extended length: 00 Lc1 Lc2
        if len(raw) < 7:
            return raw[:5] + bytes([MASK_BYTE]) * (len(raw) - 5)
        start, lc, trailer = 7, int.from_bytes(raw[5:7], "big"), 2
    end = start + lc
    if not 0 <= len(raw) - end <= trailer:  # Lc does not fit: mask everything after it
        end = len(raw)
    return raw[:start] + bytes([MASK_BYTE]) * (end - start) + raw[end:]


def _split_fields(text: str, start: int) -> tuple[list[tuple[int, int]], int]:
    """Comma-separated field spans from `start` to ';' or a line end (quotes respected).

    An unterminated quote runs to the line end, so a half-received secret is
    still covered.
    """
    spans: list[tuple[int, int]] = []
    field_start = start
    in_quote = False
    i = start
    while i < len(text):
        char = text[i]
        if char in _LINE_ENDS:
            break
        if char == '"':
            in_quote = not in_quote
        elif not in_quote and char == ",":
            spans.append((field_start, i))
            field_start = i + 1
        elif not in_quote and char == ";":
            break
        i += 1
    spans.append((field_start, i))
    return spans, i


def _mask_fields(text: str, name: str, spans: list[tuple[int, int]]) -> str:
    secret = _SECRET_FIELDS.get(name)
    apdu_index = _APDU_FIELD.get(name)
    parts: list[str] = []
    for index, (start, end) in enumerate(spans):
        field = text[start:end]
        if apdu_index is not None:
            parts.append(_mask_hex_apdu(field) if index == apdu_index else field)
        elif (secret is None or index in secret) and field.strip():
            lead = field[: len(field) - len(field.lstrip())]
            trail = field[len(field.rstrip()) :]
            parts.append(lead + MASK + trail)
        else:
            parts.append(field)
    return ",".join(parts)


def _mask_hex_apdu(field: str) -> str:
    """Mask the data hex digits of a tunnelled APDU whose INS is a secret one."""
    positions = [i for i, char in enumerate(field) if char in _HEX]
    if len(positions) <= _HEADER_HEX:
        return field
    ins = int(field[positions[2]] + field[positions[3]], 16)
    if ins not in SECRET_INS:
        return field
    chars = list(field)
    for i in positions[_HEADER_HEX:]:
        chars[i] = "*"
    return "".join(chars)


class AtStreamMasker:
    """Masks an AT byte stream that arrives in arbitrary chunks (one per direction).

    A secret split across reads (``AT+CPIN="12`` then ``34"``) must not leak
    its second half, so the masker keeps the current unfinished line and emits
    only what masking the longer line adds. Not thread-safe: the owner locks.
    """

    MAX_LINE = 4096

    def __init__(self) -> None:
        self._tail = ""
        self._masked_tail = ""

    def feed(self, data: bytes) -> bytes:
        text = self._tail + data.decode("latin-1")
        masked = mask_text(text)
        # If the new bytes changed how the line parses, over-mask rather than guess.
        prefix = self._masked_tail
        out = masked[len(prefix) :] if masked.startswith(prefix) else MASK
        cut = max(text.rfind("\r"), text.rfind("\n"))
        self._tail = text[cut + 1 :][-self.MAX_LINE :]
        self._masked_tail = mask_text(self._tail)
        return out.encode("latin-1")


class Secret:
    """A PIN/PUK/ADM value that prints as ``****`` everywhere (repr, str, f-strings).

    Not a str subclass, so it cannot be concatenated or formatted into a
    message by accident; `reveal()` is the one explicit way to get the value,
    used only where it is sent to a device. Pickling is refused so a secret
    cannot end up in a cache file; copying returns the same object.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("Secret takes a str")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "****"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return "****"

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Secret:
        return self

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled; pass it in memory")


def read_secret(
    name: str, *, env: str | None = None, file: str | None = None, prompt: str | None = None
) -> Secret:
    """Get secret `name` from env var `env`, else the first line of `file`, else a TTY prompt.

    Never from argv: command lines are visible to every user in ps and land in
    shell history and CI logs. An empty value counts as not given.
    """
    if env is not None and os.environ.get(env, "").strip():
        return Secret(os.environ[env].strip())
    if file is not None:
        return _read_secret_file(name, Path(file))
    if prompt is not None and sys.stdin is not None and sys.stdin.isatty():
        value = getpass.getpass(prompt).strip()
        if value:
            return Secret(value)
    _missing(name, env, file, prompt)


def _read_secret_file(name: str, path: Path) -> Secret:
    try:
        mode = path.stat().st_mode
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise ConfigError(f"{name}: secret file {path} is not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(
            f"{name}: cannot read secret file {path} ({exc.strerror}); create it with the "
            f"value on its first line and chmod 600 it"
        ) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("%s: secret file %s is readable by others; chmod 600 it", name, path)
    value = lines[0].strip() if lines else ""
    if not value:
        raise ConfigError(f"{name}: secret file {path} is empty; put the value on its first line")
    return Secret(value)


def _missing(name: str, env: str | None, file: str | None, prompt: str | None) -> NoReturn:
    ways = []
    if env is not None:
        ways.append(f"set environment variable {env}")
    if file is not None:
        ways.append(f"put it on the first line of {file}")
    if prompt is not None:
        ways.append("run from a terminal to be prompted")
    how = " or ".join(ways) if ways else "configure an environment variable or a file for it"
    raise ConfigError(f"{name} not provided: {how} (never pass it on the command line)")
