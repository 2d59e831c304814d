"""Splitting an information line into its fields (TS 27.007 §4.1 / V.250 §5.7.2).

Fields are comma-separated; strings are in double quotes and may hold commas
(time stamps: "13/01/28,14:51:42+08"); test-form answers group values in
parentheses. Real modems add or drop spaces anywhere (`+CSQ:4,0`,
`+CEREG: 2,1, 1F00, 79D903 ,7`), so every field is stripped.
"""

from __future__ import annotations

from harness.errors import CodecError


def payload(line: str, prefix: str) -> str:
    """What follows `prefix` ('+CSQ:') on `line`, spaces stripped; CodecError otherwise."""
    text = line.strip()
    if not text.startswith(prefix):
        raise CodecError(f"expected a {prefix} line, got {line!r}")
    return text[len(prefix) :].strip()


def split_fields(text: str) -> list[str]:
    """Split on commas outside quotes and parentheses; each field stripped."""
    fields: list[str] = []
    current: list[str] = []
    quoted = False
    depth = 0
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth = max(0, depth - 1)
        if char == "," and not quoted and depth == 0:
            fields.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    fields.append("".join(current).strip())
    return fields


def is_quoted(field: str) -> bool:
    return len(field) >= 2 and field[0] == '"' and field[-1] == '"'


def unquote(field: str) -> str:
    """Drop one pair of surrounding double quotes (and a lone leading one)."""
    value = field.strip()
    if is_quoted(value):
        return value[1:-1]
    return value.lstrip('"')


def is_decimal(text: str) -> bool:
    """ASCII digits only ('²'.isdigit() is True, but int('²') fails)."""
    return text.isascii() and text.isdigit()


def to_int(field: str, line: str, what: str) -> int:
    """A decimal field; CodecError naming the field and the line when it is not one."""
    value = unquote(field).strip()
    if not is_decimal(value):
        raise CodecError(f"{what}: {field!r} is not a decimal number in {line!r}")
    return int(value)


def opt_int(field: str, line: str, what: str) -> int | None:
    """Like to_int, but an empty field is None."""
    return None if not unquote(field).strip() else to_int(field, line, what)


def opt_str(field: str) -> str | None:
    """An optional string field: unquoted, None when empty."""
    value = unquote(field).strip()
    return value or None


def groups(text: str, line: str) -> list[str]:
    """The parenthesised groups of a test-form answer: '(a),(b)' -> ['a', 'b'].

    Empty fields between groups (`,,` in +COPS=?) are skipped.
    """
    out: list[str] = []
    for field in split_fields(text):
        if not field:
            continue
        if not (field.startswith("(") and field.endswith(")")):
            raise CodecError(f"expected a parenthesised list, got {field!r} in {line!r}")
        out.append(field[1:-1].strip())
    return out
