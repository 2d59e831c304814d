"""The modem's volatile settings: what ATZ, AT&F and a power cycle put back to defaults."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Settings:
    """One modem's configuration as the AT commands left it (not the SIM's, not the network's)."""

    echo: bool = True  # V.250 E1 is the default
    cmee: int = 0
    creg_n: int = 0
    cgreg_n: int = 0
    cereg_n: int = 0
    cops_format: int = 0  # +COPS <format>: 0 long, 1 short alphanumeric, 2 numeric
    ps_attach: bool = True  # +CGATT: the packet domain follows registration unless detached
    csms: int = 0  # 27.005 §3.2.1 <service>: 1 = phase 2+, routed messages need +CNMA
    cmgf: int = 0  # 27.005: 0 PDU mode, 1 text mode
    cscs: str = "IRA"
    csdh: int = 0
    # +CNMI <mode>,<mt>,<bm>,<ds>,<bfr>: mode 2 / mt 1 is what most modules start with.
    cnmi: tuple[int, int, int, int, int] = (2, 1, 0, 0, 0)
    cpms: tuple[str, str, str] = ("SM", "SM", "SM")
    csmp: tuple[int, int, int, int] = (17, 167, 0, 0)  # SUBMIT, VPF relative; VP 1 day
    vendor: dict[str, int] = field(default_factory=dict)  # vendor switches, e.g. +QSIMSTAT
