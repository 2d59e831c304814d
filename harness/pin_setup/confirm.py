"""The confirmation that binds a risky flag to one card, by the end of its ICCID.

`--allow-last-attempt` and `--allow-puk-attempt` lift the safety gate for one
command. On a card the harness did not build itself, that is only accepted
once a person names the card: the last four (or more) digits of its ICCID,
typed at a prompt or given as `--confirm-iccid DIGITS` in a script. A flag left
in a shell history then cannot spend the last try of the next SIM put in the
reader. What was typed is never repeated back.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.errors import ConfigError, SafetyRefusal

__all__ = ["confirm_card"]

MIN_DIGITS = 4


def confirm_card(
    iccid: str | None,
    given: str | None,
    ask: Callable[[str], str] | None,
    risk: str,
) -> str:
    """Check the confirmation for `risk` on the card `iccid`; returns how it was given.

    `given`: --confirm-iccid; `ask`: a prompt function (None when not on a terminal).
    """
    if iccid is None:
        raise SafetyRefusal(
            f"{risk} needs a confirmation bound to the card, but its ICCID could not be "
            f"read; nothing was sent. Check the SIM is seated and readable (`simharness pin "
            f"status`)."
        )
    digits = iccid.upper().rstrip("F")
    if given is not None:
        how, typed = "--confirm-iccid", given.strip()
    elif ask is not None:
        how = "typed at the prompt"
        typed = ask(f"{risk}. Type the last four digits of this card's ICCID to confirm: ").strip()
    else:
        raise ConfigError(
            f"{risk} on a real card needs a confirmation: give --confirm-iccid DIGITS (the "
            f"last four digits of the card's ICCID) or run on a terminal to be asked"
        )
    if len(typed) < MIN_DIGITS or not typed.isdigit() or not digits.endswith(typed):
        raise SafetyRefusal(
            f"the confirmation does not match the end of this card's ICCID ({iccid}); "
            f"nothing was sent. Check that the SIM in the device is the one you meant."
        )
    return how
