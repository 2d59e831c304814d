"""The AT script line language: one step a line, checked before any device is opened.

    # a comment (a whole line; blank lines are ignored)
    applies-to quectel simcom      personalities/vendors the script is for (default: all)
    secret PIN from SIM_PIN        ${PIN} is the value of environment variable SIM_PIN
    timeout 10                     default deadline (s) of the expect / wait-urc steps below
    send AT+CPIN?                  the rest of the line, then CR; ${NAME} is substituted
    expect /^\\+CPIN: (?P<state>.+)$/ [within S] [else MESSAGE]
    expect-not /ERROR/ [for S] [else MESSAGE]
    wait-urc /^\\+CREG: [15]$/ [within S] [else MESSAGE]
    show-until /^OK$/ [within S] [else MESSAGE]   print every line until one matches
    sleep S
    print TEXT                     to standard output, ${NAME} substituted, secrets masked
    fail MESSAGE                   stop here, the script failed

Regular expressions are Python `re` syntax between slashes (`\\/` for a slash), matched
with `re.search` against one received line at a time (CR/LF removed; the SMS prompt
is the line "> "). Named groups of `expect` and `wait-urc` become variables for
later steps (a group that took no part in the match is empty). Secrets are
named by environment variable only, never written in the file, and are masked in
every transcript, log and printed line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import ConfigError

__all__ = [
    "Expect",
    "ExpectNot",
    "Fail",
    "Print",
    "Script",
    "ScriptError",
    "Send",
    "ShowUntil",
    "Sleep",
    "Step",
    "WaitUrc",
    "load_script",
    "parse_script",
]

DEFAULT_TIMEOUT_S = 5.0
DEFAULT_URC_TIMEOUT_S = 60.0
DEFAULT_QUIET_S = 1.0
MAX_WAIT_S = 600.0
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ScriptError(ConfigError):
    """The script is not valid; the message names the file and line."""


@dataclass(frozen=True)
class Step:
    line: int  # 1-based line number in the file


@dataclass(frozen=True)
class Send(Step):
    text: str  # with ${NAME} references, substituted when sent


@dataclass(frozen=True)
class Expect(Step):
    pattern: str  # with ${NAME} references (substituted as literal text)
    timeout: float
    message: str | None


@dataclass(frozen=True)
class ExpectNot(Step):
    pattern: str
    quiet: float
    message: str | None


@dataclass(frozen=True)
class WaitUrc(Step):
    pattern: str
    timeout: float
    message: str | None


@dataclass(frozen=True)
class ShowUntil(Step):
    pattern: str
    timeout: float
    message: str | None


@dataclass(frozen=True)
class Sleep(Step):
    seconds: float


@dataclass(frozen=True)
class Print(Step):
    text: str


@dataclass(frozen=True)
class Fail(Step):
    message: str


@dataclass(frozen=True)
class Script:
    name: str
    steps: tuple[Step, ...]
    secrets: dict[str, str] = field(default_factory=dict)  # variable -> environment variable
    applies_to: tuple[str, ...] = ()  # empty: every personality

    def applies(self, personality: str) -> bool:
        return not self.applies_to or personality in self.applies_to


def load_script(path: Path) -> Script:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScriptError(f"{path}: cannot read the script ({exc})") from None
    return parse_script(text, str(path))


def parse_script(text: str, name: str = "<script>") -> Script:
    """Parse and check every line: syntax, regexes, numbers, variables defined before use."""
    parser = _Parser(name)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line and not line.startswith("#"):
            parser.line(number, line)
    if not parser.steps:
        raise ScriptError(f"{name}: no steps (only comments or blank lines)")
    return Script(name, tuple(parser.steps), dict(parser.secrets), parser.applies_to)


class _Parser:
    def __init__(self, name: str) -> None:
        self.name = name
        self.steps: list[Step] = []
        self.secrets: dict[str, str] = {}
        self.defined: set[str] = set()
        self.applies_to: tuple[str, ...] = ()
        self.timeout = DEFAULT_TIMEOUT_S

    def error(self, number: int, text: str) -> ScriptError:
        return ScriptError(f"{self.name}:{number}: {text}")

    def line(self, n: int, line: str) -> None:
        keyword, _, rest = line.partition(" ")
        rest = rest.strip()
        if keyword == "send":
            self.uses(n, rest)
            self.steps.append(Send(n, rest))
        elif keyword in ("expect", "expect-not", "wait-urc", "show-until"):
            self.matcher(n, keyword, rest)
        elif keyword == "sleep":
            self.steps.append(Sleep(n, self.seconds(n, rest)))
        elif keyword == "print":
            self.uses(n, rest)
            self.steps.append(Print(n, rest))
        elif keyword == "fail":
            self.uses(n, rest)
            self.steps.append(Fail(n, rest or "the script says so"))
        elif keyword == "secret":
            self.secret(n, rest)
        elif keyword == "timeout":
            self.timeout = self.seconds(n, rest)
        elif keyword == "applies-to":
            if self.steps or not rest:
                raise self.error(n, "applies-to NAME ... comes before the first step")
            self.applies_to = tuple(rest.lower().split())
        else:
            raise self.error(
                n,
                f"unknown step {keyword!r}; steps: send, expect, expect-not, wait-urc, "
                f"show-until, sleep, print, fail, secret, timeout, applies-to",
            )

    def secret(self, n: int, rest: str) -> None:
        parts = rest.split()
        if len(parts) != 3 or parts[1] != "from" or not all(_NAME.fullmatch(p) for p in parts):
            raise self.error(n, "write `secret NAME from ENVIRONMENT_VARIABLE`")
        if parts[0] in self.defined:
            raise self.error(n, f"{parts[0]} is already defined")
        self.secrets[parts[0]] = parts[2]
        self.defined.add(parts[0])

    def matcher(self, n: int, keyword: str, rest: str) -> None:
        pattern, tail = self.regex(n, rest)
        self.uses(n, pattern)
        option = "for" if keyword == "expect-not" else "within"
        default = {
            "expect": self.timeout,
            "expect-not": DEFAULT_QUIET_S,
            "wait-urc": max(self.timeout, DEFAULT_URC_TIMEOUT_S),
            "show-until": self.timeout,
        }[keyword]
        seconds, message = default, None
        words = tail.split(maxsplit=1)
        while words:
            if words[0] == option and len(words) == 2:
                value, _, after = words[1].partition(" ")
                seconds = self.seconds(n, value)
                words = after.split(maxsplit=1)
            elif words[0] == "else":
                message = words[1] if len(words) == 2 else None
                if not message:
                    raise self.error(n, "`else` needs a message")
                self.uses(n, message)
                words = []
            else:
                raise self.error(n, f"after the pattern: `{option} SECONDS` and/or `else MESSAGE`")
        groups = re.compile(pattern).groupindex
        clash = [g for g in groups if g in self.secrets]
        if clash:
            raise self.error(n, f"group {clash[0]} would overwrite a secret")
        if keyword == "expect":
            self.steps.append(Expect(n, pattern, seconds, message))
        elif keyword == "wait-urc":
            self.steps.append(WaitUrc(n, pattern, seconds, message))
        elif keyword == "show-until":
            self.steps.append(ShowUntil(n, pattern, seconds, message))
        else:
            self.steps.append(ExpectNot(n, pattern, seconds, message))
        if keyword in ("expect", "wait-urc"):
            self.defined.update(groups)

    def regex(self, n: int, rest: str) -> tuple[str, str]:
        if not rest.startswith("/"):
            raise self.error(n, "the pattern goes between slashes: expect /^OK$/")
        i = 1
        while i < len(rest):
            if rest[i] == "\\":
                i += 2
                continue
            if rest[i] == "/":
                break
            i += 1
        else:
            raise self.error(n, "the pattern has no closing slash")
        pattern = rest[1:i].replace("\\/", "/")
        try:
            re.compile(_VARIABLE.sub("x", pattern))
        except re.error as exc:
            raise self.error(n, f"bad regular expression: {exc}") from None
        return pattern, rest[i + 1 :].strip()

    def seconds(self, n: int, text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise self.error(n, f"{text!r} is not a number of seconds") from None
        if not 0 <= value <= MAX_WAIT_S:
            raise self.error(n, f"seconds must be between 0 and {MAX_WAIT_S:g}")
        return value

    def uses(self, n: int, text: str) -> None:
        for name in _VARIABLE.findall(text):
            if name not in self.defined:
                raise self.error(
                    n,
                    f"${{{name}}} is not defined above (a `secret {name} from VAR` line or a "
                    f"named group (?P<{name}>...) of an earlier expect)",
                )


def references(text: str) -> list[str]:
    """The ${NAME} references of a template, in order."""
    return _VARIABLE.findall(text)


def substitute(text: str, values: dict[str, str], *, escape: bool = False) -> str:
    """Fill ${NAME}; with `escape`, values are regex-escaped (inside a pattern)."""
    return _VARIABLE.sub(
        lambda m: re.escape(values[m.group(1)]) if escape else values[m.group(1)], text
    )
