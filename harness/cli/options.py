"""Options several verb groups share: the masked transcript (--transcript, -v) and secrets.

Secrets come from an environment variable, a file, or a prompt without echo on a
terminal; never from argv. An error names the options, never a value.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness.errors import ConfigError
from harness.secrets import Secret, read_secret
from harness.transcript import Transcript, TranscriptEntry

__all__ = ["add_transcript_option", "cli_secret", "new_secret", "transcript_for"]

traffic = logging.getLogger("harness.traffic")


def add_transcript_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--transcript",
        type=Path,
        metavar="FILE",
        help="write the masked AT/APDU transcript here (secrets shown as ****)",
    )


def _log_entry(entry: TranscriptEntry) -> None:
    traffic.debug("%s", entry.render_text())


@contextmanager
def transcript_for(args: argparse.Namespace) -> Iterator[Transcript]:
    """A transcript for one command: logged with -v (masked), written to --transcript at
    the end, also when the command fails."""
    transcript = Transcript()
    if traffic.isEnabledFor(logging.DEBUG):
        transcript.add_listener(_log_entry)
    try:
        yield transcript
    finally:
        path = getattr(args, "transcript", None)
        if path is not None:
            transcript.write(path)
            print(f"transcript: {path}", file=sys.stderr)


def _on_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def cli_secret(
    what: str, env: str | None, file: str | None, *, option: str, ask: bool = False
) -> Secret:
    """`what` from --OPTION-env VAR, --OPTION-file FILE, or a no-echo prompt on a terminal."""
    if env is None and file is None and not _on_terminal():
        asked = " (--ask-pin needs a terminal)" if ask else ""
        raise ConfigError(
            f"{what}: give --{option}-env VAR or --{option}-file FILE, or run on a terminal "
            f"to be asked{asked} (secrets are never taken from the command line)"
        )
    return read_secret(what, env=env, file=file, prompt=f"{what}: ")


def new_secret(what: str, env: str | None, file: str | None, *, option: str) -> Secret:
    """A new PIN: from a variable or file once, or typed twice without echo."""
    if env is not None or file is not None:
        return read_secret(what, env=env, file=file)
    if not _on_terminal():
        raise ConfigError(
            f"{what}: give --{option}-env VAR or --{option}-file FILE, or run on a terminal "
            f"to type it twice (secrets are never taken from the command line)"
        )
    first = getpass.getpass(f"{what}: ").strip()
    second = getpass.getpass(f"{what} again: ").strip()
    if not first:
        raise ConfigError(f"{what}: nothing was typed; nothing was sent")
    if first != second:
        raise ConfigError(f"{what}: the two entries differ; nothing was sent")
    return Secret(first)
