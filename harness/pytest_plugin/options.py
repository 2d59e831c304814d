"""Command-line options and ini keys of the plugin, read once into `Settings`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

import pytest

__all__ = ["BENCH_ENV", "Settings", "pytest_addoption", "read_settings"]

BENCH_ENV = "SIMHARNESS_BENCH"
DEFAULT_DEVICE_WAIT_S = 300.0


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    group = parser.getgroup("simharness", "sim-harness bench (SIM cards and modems)")
    group.addoption(
        "--bench",
        metavar="FILE",
        help=f"bench TOML naming the lab's modems and readers (also ${BENCH_ENV} or the "
        "simharness_bench ini key); without it, or with 'virtual', the virtual bench is started",
    )
    group.addoption(
        "--bench-report",
        metavar="DIR",
        help="write every test's AT/APDU transcript (masked) under DIR/<test id>/",
    )
    group.addoption(
        "--allow-destructive",
        action="store_true",
        help="run tests marked destructive (only on SIMs the bench file marks sacrificial)",
    )
    group.addoption(
        "--device-wait",
        type=float,
        metavar="SECONDS",
        default=None,
        help=f"how long to wait for a device another job holds (default {DEFAULT_DEVICE_WAIT_S:g})",
    )
    group.addoption(
        "--device-retries",
        type=int,
        metavar="N",
        default=0,
        help="rerun a test up to N times after a set-up error caused by the bench "
        "(never after a failed assertion)",
    )
    if not _labgrid_plugin_loads(pluginmanager):  # else its --lg-coordinator is ours too
        group.addoption(
            "--lg-coordinator",
            dest="lg_coordinator",
            metavar="HOST[:PORT]",
            help="labgrid coordinator for bench modems in a `place` (default: $LG_COORDINATOR, "
            "else 127.0.0.1:20408)",
        )
    parser.addini("simharness_bench", "bench TOML (relative to the ini file)", default="")
    parser.addini("simharness_device_wait", "default for --device-wait (seconds)", default="")


def _labgrid_plugin_loads(pluginmanager: pytest.PytestPluginManager) -> bool:
    """Whether labgrid's pytest plugin (which has `--lg-coordinator`, same dest) is or will be
    registered: two plugins cannot both add one option."""
    if pluginmanager.has_plugin("labgrid"):
        return True
    if pluginmanager.is_blocked("labgrid") or os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return False
    return any(ep.name == "labgrid" for ep in entry_points(group="pytest11"))


@dataclass(frozen=True)
class Settings:
    bench: Path | None  # None: the virtual bench
    report_dir: Path | None
    allow_destructive: bool
    device_wait_s: float
    device_retries: int
    lg_coordinator: str | None = None  # None: LG_COORDINATOR, else labgrid's default


def read_settings(config: pytest.Config) -> Settings:
    """Options first, then the environment, then the ini file; errors are usage errors."""
    bench_text = config.getoption("--bench") or os.environ.get(BENCH_ENV) or ""
    bench: Path | None = Path(bench_text) if bench_text else None
    if not bench_text:
        ini_text = str(config.getini("simharness_bench") or "")
        if ini_text:
            base = config.inipath.parent if config.inipath is not None else config.rootpath
            bench = base / ini_text
    if bench is not None and str(bench) == "virtual":
        bench = None
    wait = config.getoption("--device-wait")
    if wait is None:
        ini_wait = str(config.getini("simharness_device_wait") or "")
        try:
            wait = float(ini_wait) if ini_wait else DEFAULT_DEVICE_WAIT_S
        except ValueError:
            raise pytest.UsageError(
                f"simharness_device_wait = {ini_wait!r}: a number of seconds"
            ) from None
    if wait < 0:
        raise pytest.UsageError(f"--device-wait {wait:g}: a number of seconds, 0 or more")
    retries = int(config.getoption("--device-retries"))
    if retries < 0:
        raise pytest.UsageError(f"--device-retries {retries}: 0 or more")
    report = config.getoption("--bench-report")
    return Settings(
        bench=bench,
        report_dir=Path(report) if report else None,
        allow_destructive=bool(config.getoption("--allow-destructive")),
        device_wait_s=float(wait),
        device_retries=retries,
        lg_coordinator=config.getoption("lg_coordinator", default=None),
    )
