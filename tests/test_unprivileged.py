"""A lab's CI runner is rarely root: the PC/SC path and a modem tool work as a normal user.

Run as root, these tests drop to `nobody` (no groups, a HOME of its own) with
the installed package (tests/installed_package.py); run as a normal user they
run as that user. Either way nothing here has root's privileges.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from installed_package import (
    UNPRIVILEGED_UID,
    outside_env,
    running_as_root,
    unprivileged_argv,
)

from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import VirtualModem

PROFILE = load_profile(DEFAULT_PROFILE)

# Opens the port like gammu does (exclusive mode, TIOCEXCL), then closes it.
OPEN_EXCLUSIVE = (
    "import fcntl, os, sys, termios\n"
    "fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)\n"
    "fcntl.ioctl(fd, termios.TIOCEXCL)\n"
    "os.close(fd)\n"
)
# Opens the port again, retrying EBUSY until a deadline (the modem clears the
# mode when it sees the close, a moment later); prints what the last try gave.
REOPEN = (
    "import errno, os, sys, time\n"
    "deadline = time.monotonic() + float(sys.argv[2])\n"
    "while True:\n"
    "    try:\n"
    "        os.close(os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)); print('opened'); break\n"
    "    except OSError as exc:\n"
    "        if exc.errno != errno.EBUSY or time.monotonic() > deadline:\n"
    "            print(exc.strerror); break\n"
    "        time.sleep(0.02)\n"
)


def as_normal_user(
    argv: list[str], bin_dir: Path, cwd: Path, timeout: float = 90.0
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        unprivileged_argv(argv),
        cwd=cwd,
        env=outside_env(bin_dir, cwd),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def normal_user(installed_wheel: Path, outside_dir: Path) -> Path:
    """Checks that the normal user can run the installed venv at all; its bin dir."""
    done = as_normal_user(
        [str(installed_wheel / "python"), "-c", "pass"], installed_wheel, outside_dir
    )
    if done.returncode != 0:
        reason = f"the unprivileged user cannot run the installed venv: {done.stderr.strip()}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    who = as_normal_user(["id", "-u"], installed_wheel, outside_dir)
    assert who.stdout.strip() != "0", "the test must not run as root"
    return installed_wheel


@pytest.mark.pcsc
def test_demo_reads_the_card_over_pcsc_as_a_normal_user(
    pcscd: object, normal_user: Path, outside_dir: Path
) -> None:
    """A private pcscd (user namespace), a vpcd bridge into it, pyscard reading the card;
    also the demo of the installed package, run from outside the checkout."""
    done = as_normal_user(
        [str(normal_user / "simharness"), "demo", "--report", "reports"], normal_user, outside_dir
    )
    assert done.returncode == 0, done.stderr
    for expected in (PROFILE.iccid, PROFILE.imsi, "Virtual PCD 00 00", "after PIN1 verification"):
        assert expected in done.stdout
    assert list((outside_dir / "reports").glob("*.md"))


def test_a_hosts_exclusive_mode_ends_when_it_closes_the_port(
    normal_user: Path, outside_dir: Path
) -> None:
    """gammu puts its port in exclusive mode; its next run must not find the port busy."""
    python = str(normal_user / "python")
    with VirtualModem(VirtualUicc(PROFILE)) as modem:
        link = outside_dir / "modem0"
        modem.start_pty(link)
        port = str(link.resolve())
        if running_as_root():
            os.chown(port, UNPRIVILEGED_UID, -1)  # a lab's udev rule gives the runner its port
        first = as_normal_user([python, "-c", OPEN_EXCLUSIVE, port], normal_user, outside_dir)
        assert first.returncode == 0, first.stderr
        started = time.monotonic()
        again = as_normal_user([python, "-c", REOPEN, port, "3"], normal_user, outside_dir)
        assert again.stdout.strip() == "opened", again.stdout + again.stderr
        assert time.monotonic() - started < 3.0


# In the installed venv, as the normal user: a private pcscd, then a command run
# through netns_command; it must see vpcd listening (35963 = 0x8C7B, state 0A).
ENTER_NAMESPACE = (
    "import subprocess\n"
    "from harness.virtual.pcscd import PrivatePcscd\n"
    "with PrivatePcscd() as daemon:\n"
    "    argv = daemon.netns_command(['cat', '/proc/net/tcp'])\n"
    "    done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=True)\n"
    "    print(done.stdout)\n"
)


@pytest.mark.pcsc
def test_a_card_process_enters_the_private_pcscd_namespace_as_a_normal_user(
    pcscd: object, normal_user: Path, outside_dir: Path
) -> None:
    done = as_normal_user(
        [str(normal_user / "python"), "-c", ENTER_NAMESPACE], normal_user, outside_dir
    )
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()[1:] if line.strip()]
    listening = [row[1] for row in rows if row[3] == "0A"]
    assert "00000000:8C7B" in listening or "0100007F:8C7B" in listening, done.stdout
