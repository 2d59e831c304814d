"""Hooks: the commands a bench file names for steps a person or another system does.

A hook is an argv list, run without a shell, in the bench file's directory,
with stdin closed (nobody answers a prompt in CI) and a deadline. What the
step is about reaches it two ways, both free of secrets:

* placeholders in argv: `{step}`, `{msisdn}`, `{sim}`, `{device}` (the bench
  device name), `{port}`, `{role}` ("owner"/"thief"), `{label}` ("OTP 2"),
  `{by}` ("owner"/"caller"); `{{` and `}}` are literal braces;
* environment variables `SIMHARNESS_STEP`, `SIMHARNESS_MSISDN`, ... (the same
  names, upper case), plus `SIMHARNESS_BENCH` (the bench file).

No PIN ever reaches a hook: there is no placeholder for one, and the
variables the bench file names for the owner's PINs are removed from the
hook's environment. A hook that fails, or outlives its deadline (its whole
process group is killed), raises `HookError` naming the step, the command,
the exit status and the tail of its stderr.

A `send_otp` hook may print what it sent, one `key=value` per line on stdout:
`code=123456` (the harness then looks for exactly that code) and
`sender=MyBank` (the sender the SMS shows).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import string
import subprocess
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.bench.lines import FieldLocator
from harness.errors import HarnessError, HarnessTimeout

__all__ = [
    "DEFAULT_HOOK_TIMEOUT_S",
    "HOOK_STEPS",
    "PLACEHOLDERS",
    "Hook",
    "HookError",
    "HookOutput",
    "HookTimeout",
    "hook_from_value",
    "otp_from_output",
    "run_hook",
]

HOOK_STEPS = ("move_sim", "take_out", "report_lost", "reactivate", "swap_sim", "send_otp")
PLACEHOLDERS = frozenset({"step", "msisdn", "sim", "device", "port", "role", "label", "by"})
DEFAULT_HOOK_TIMEOUT_S = 60.0
_TAIL_CHARS = 400
_CODE = re.compile(r"[0-9]{4,8}")


class HookError(HarnessError):
    """A hook could not start, failed, or printed something unusable."""

    def __init__(self, step: str, message: str, *, status: int | None = None) -> None:
        self.step = step
        self.status = status
        super().__init__(f"hook {step}: {message}")


class HookTimeout(HookError, HarnessTimeout):
    """A hook outlived its deadline; its process group was killed."""


@dataclass(frozen=True)
class Hook:
    step: str
    argv: tuple[str, ...]
    timeout_s: float = DEFAULT_HOOK_TIMEOUT_S

    def command(self, values: Mapping[str, str]) -> list[str]:
        """argv with its placeholders filled (each one was checked when the file was read)."""
        return [arg.format_map(values) for arg in self.argv]


@dataclass(frozen=True)
class HookOutput:
    stdout: str
    stderr: str
    duration_s: float


def hook_from_value(step: str, value: Any, default_timeout_s: float, where: FieldLocator) -> Hook:
    """`["cmd", "arg"]` or `{ argv = [...], timeout_s = 30 }`, checked."""
    name = f"hooks.{step}"
    path = ("hooks", step)
    timeout: Any = default_timeout_s
    if isinstance(value, dict):
        unknown = sorted(set(value) - {"argv", "timeout_s"})
        if unknown:
            raise where.error(
                path, name, f"unknown field(s) {', '.join(unknown)}; use argv, timeout_s"
            )
        timeout = value.get("timeout_s", default_timeout_s)
        value = value.get("argv")
    if not isinstance(value, list) or not value or not all(isinstance(a, str) for a in value):
        raise where.error(
            path, name, 'a list of strings, the command and its arguments (["cmd", "arg"])'
        )
    if not value[0].strip():
        raise where.error(path, name, "the command (first element) is empty")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise where.error(path, f"{name}.timeout_s", f"{timeout!r}: seconds > 0 (unquoted)")
    for arg in value:
        problem = _placeholder_problem(arg)
        if problem is not None:
            raise where.error(path, name, f"{arg!r}: {problem}")
    return Hook(step, tuple(value), float(timeout))


def _placeholder_problem(arg: str) -> str | None:
    try:
        fields = [f for _, f, spec, conv in string.Formatter().parse(arg) if f is not None]
    except ValueError as exc:
        return f"{exc} (write {{{{ and }}}} for literal braces)"
    for name in fields:
        if name not in PLACEHOLDERS:
            return (
                f"unknown placeholder {{{name}}}; known: "
                + ", ".join(f"{{{p}}}" for p in sorted(PLACEHOLDERS))
                + " (a secret is never one: hooks never get a PIN)"
            )
    return None


# Environment names that carry a secret by convention (SIM_PIN, SIMHARNESS_VIRTUAL_PUK,
# CAMARA_TOKEN, ...): never passed to a hook, whatever the bench file names.
_SECRET_NAME = re.compile(r"(^|_)(PIN\d?|PUK\d?|ADM\d?|TOKEN|PASSWORD|SECRET|KEY)($|_)", re.I)


def _secret_name(name: str) -> bool:
    return _SECRET_NAME.search(name) is not None


def run_hook(
    hook: Hook,
    values: Mapping[str, str],
    *,
    cwd: Path,
    bench: str,
    hide_env: Collection[str] = (),
) -> HookOutput:
    """Run `hook` with `values` for its placeholders and environment; its output, or HookError."""
    filled = {name: values.get(name, "") for name in PLACEHOLDERS} | {"step": hook.step}
    argv = hook.command(filled)
    env = {k: v for k, v in os.environ.items() if k not in hide_env and not _secret_name(k)}
    env |= {f"SIMHARNESS_{k.upper()}": v for k, v in filled.items()}
    env["SIMHARNESS_BENCH"] = bench
    shown = " ".join(argv)
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # a deadline kills the hook's children too
        )
    except OSError as exc:
        raise HookError(
            hook.step, f"cannot start `{shown}` in {cwd} ({exc.strerror}); check the command"
        ) from None
    try:
        stdout, stderr = process.communicate(timeout=hook.timeout_s)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        stdout, stderr = process.communicate()
        raise HookTimeout(
            hook.step,
            f"`{shown}` did not finish within {hook.timeout_s:g} s and was killed; "
            f"stderr: {_tail(stderr)} (raise the hook's timeout_s if the step is slow)",
        ) from None
    if process.returncode != 0:
        raise HookError(
            hook.step,
            f"`{shown}` exited with status {process.returncode}; stderr: {_tail(stderr)}",
            status=process.returncode,
        )
    return HookOutput(stdout, stderr, time.monotonic() - started)


def _kill_group(process: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _tail(text: str) -> str:
    text = text.strip()
    if not text:
        return "(empty)"
    return ("..." + text[-_TAIL_CHARS:]) if len(text) > _TAIL_CHARS else text


def otp_from_output(step: str, stdout: str) -> tuple[str | None, str | None]:
    """(code, sender) from a send_otp hook's `code=` / `sender=` lines; None where not said."""
    code: str | None = None
    sender: str | None = None
    for line in stdout.splitlines():
        key, sep, value = line.strip().partition("=")
        if not sep:
            continue
        if key == "code":
            if not _CODE.fullmatch(value.strip()):
                raise HookError(step, f"printed code={value.strip()!r}: a code is 4 to 8 digits")
            code = value.strip()
        elif key == "sender" and value.strip():
            sender = value.strip()
    return code, sender
