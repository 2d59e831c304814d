"""Gammu, a standard third-party modem tool, against the virtual modem, unmodified.

Gammu spends about 3 s setting up each session, so commands run in batches.
The PIN goes to gammu on standard input (`entersecuritycode PIN -`), never in argv.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harness.sms.address import Address
from harness.sms.tpdu import SmsDeliver
from harness.sms.userdata import UserData
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import VirtualModem

PROFILE = load_profile(DEFAULT_PROFILE)
OTP_TEXT = "Your verification code is 424242"


def gammu(rc: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["gammu", "-c", str(rc), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def batch(rc: Path, tmp_path: Path, *commands: str) -> str:
    script = tmp_path / f"batch-{len(list(tmp_path.iterdir()))}"
    script.write_text("\n".join(commands) + "\n")
    return gammu(rc, "batch", str(script)).stdout


def test_gammu_against_the_virtual_modem(tmp_path: Path) -> None:
    if shutil.which("gammu") is None:
        if os.environ.get("CI"):
            pytest.fail("gammu must be installed in CI (make test installs it as root)")
        pytest.skip("gammu is not installed (apt-get install gammu)")
    with VirtualModem(VirtualUicc(PROFILE), personality="quectel") as modem:
        link = tmp_path / "modem0"
        modem.start_pty(link)
        rc = tmp_path / "gammurc"
        rc.write_text(f"[gammu]\ndevice = {link}\nconnection = at\n")
        otp = SmsDeliver(
            originator=Address.alphanumeric("HarnessBank"),
            timestamp=datetime(2026, 11, 28, 12, 0, tzinfo=UTC),
            user_data=UserData(text=OTP_TEXT),
        )

        locked = batch(rc, tmp_path, "identify", "getsecuritystatus", "getallsms")
        assert "Quectel" in locked and "IMEI" in locked and "Waiting for PIN." in locked
        assert not modem.deliver_sms(otp), "a locked SIM is not registered: nothing arrives"
        assert OTP_TEXT not in locked and "Security error" in locked

        entered = gammu(rc, "entersecuritycode", "PIN", "-", stdin=PROFILE.pin1 + "\n")
        assert entered.returncode == 0, entered.stdout + entered.stderr
        assert modem.deliver_sms(otp)

        ready = batch(
            rc,
            tmp_path,
            "getsecuritystatus",
            "identify",
            "networkinfo",
            "getallsms",
            "sendsms TEXT +15555550100 -text hello-from-gammu",
        )
        assert "Nothing to enter." in ready and PROFILE.imsi in ready
        assert "home network" in ready and "001 01" in ready
        assert OTP_TEXT in ready and "HarnessBank" in ready
        assert any(
            p.tpdu.user_data.text == "hello-from-gammu"  # type: ignore[union-attr]
            for p in modem.sent_messages
        )
