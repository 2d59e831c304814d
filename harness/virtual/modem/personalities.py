"""Personalities: the vendor dialects the virtual modem can speak, as data plus small hooks.

Each one fixes what a driver uses to tell vendors apart and what it must parse:
identification (+CGMI/+CGMM/+CGMR, ATI), the retry-counter command and its
format, the ICCID command, hot-plug URCs, and quirks recorded from real modems
(docs/sources.md §R: Wavecom's leading spaces, +CPIN? without OK and +CME ERROR 515
after +CFUN=1; Huawei's `COMMAND NOT SUPPORT` and `\\r\\r\\n` +CLAC).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import harness.virtual.modem.commands.vendor as vc
from harness.virtual.modem.hotplug import (
    GENERIC,
    HUAWEI,
    QUECTEL,
    SIERRA,
    SIMCOM,
    TELIT,
    UBLOX,
    WAVECOM,
    HotPlug,
)

if TYPE_CHECKING:
    from harness.virtual.modem.firmware import Handler


def clac_27007(names: list[str]) -> list[str]:
    """27.007 §8.37: one command per line, with its AT prefix."""
    return [f"AT{name}" for name in names]


def clac_huawei(names: list[str]) -> list[str]:
    """Huawei E1752: one per line, no prefix, an extra CR (`&C\\r\\r\\n`)."""
    return [f"{name}\r" for name in names]


@dataclass(frozen=True)
class Personality:
    name: str
    manufacturer: str  # +CGMI
    model: str  # +CGMM
    revision: str | None  # +CGMR; None answers ERROR (Wavecom)
    ati: tuple[str, ...]  # ATI lines; "{imei}" is filled in
    retry_command: str  # the AT command a driver sends for the PIN/PUK counters
    iccid_command: str  # the AT command that reads the ICCID
    commands: Mapping[str, Handler] = field(default_factory=dict)  # vendor commands
    hotplug: HotPlug = GENERIC
    unknown_answer: str = "ERROR"  # final code for an unknown command
    cpin_read_final: bool = True  # False: +CPIN? gets no OK (Wavecom)
    clac: Callable[[list[str]], list[str]] | None = clac_27007  # None: +CLAC -> ERROR
    busy_after_cfun: tuple[int, int] | None = None  # (+CME code, commands) after +CFUN=1
    default_cmee: int = 0
    vendor_defaults: Mapping[str, int] = field(default_factory=dict)


PERSONALITIES: dict[str, Personality] = {
    p.name: p
    for p in (
        Personality(
            name="generic",
            manufacturer="sim-harness",
            model="Virtual 27.007 modem",
            revision="1.0",
            ati=("sim-harness", "Virtual 27.007 modem", "Revision: 1.0"),
            retry_command="AT+CPINR",
            iccid_command="AT+CCID",
        ),
        Personality(
            name="quectel",
            manufacturer="Quectel",
            model="EG25",
            revision="EG25GGBR07A08M2G",
            ati=("Quectel", "EG25", "Revision: EG25GGBR07A08M2G"),
            retry_command="AT+QPINC?",
            iccid_command="AT+QCCID",
            commands={"+QPINC": vc.qpinc, "+QCCID": vc.qccid, "+QSIMSTAT": vc.qsimstat},
            hotplug=QUECTEL,
            vendor_defaults={"qsimstat": 0},
        ),
        Personality(
            name="simcom",
            manufacturer="SIMCOM INCORPORATED",
            model="SIMCOM_SIM7600G-H",
            revision="+CGMR: LE20B04SIM7600G22",
            ati=(
                "Manufacturer: SIMCOM INCORPORATED",
                "Model: SIMCOM_SIM7600G-H",
                "Revision: LE20B04SIM7600G22",
                "IMEI: {imei}",
                "+GCAP: +CGSM",
            ),
            retry_command="AT+SPIC",
            iccid_command="AT+CICCID",
            commands={"+SPIC": vc.spic, "+CICCID": vc.ciccid, "+CRESET": vc.module_reset},
            hotplug=SIMCOM,
        ),
        Personality(
            name="huawei",
            manufacturer="Huawei Technologies Co., Ltd.",
            model="ME909s-120",
            revision="11.617.01.00.00",
            ati=(
                "Manufacturer: Huawei Technologies Co., Ltd.",
                "Model: ME909s-120",
                "Revision: 11.617.01.00.00",
                "IMEI: {imei}",
                "+GCAP: +CGSM,+DS,+ES",
            ),
            retry_command="AT^CPIN?",
            iccid_command="AT^ICCID?",
            commands={
                "^CPIN": vc.huawei_cpin,
                "^ICCID": vc.huawei_iccid,
                "^RESET": vc.module_reset,
            },
            hotplug=HUAWEI,
            unknown_answer="COMMAND NOT SUPPORT",
            clac=clac_huawei,
        ),
        Personality(
            name="sierra",
            manufacturer="Sierra Wireless, Incorporated",
            model="EM7455",
            revision="SWI9X30C_02.24.05.06 r7040 CARMD-EV-FRMWR2 2017/05/19 06:23:09",
            ati=(
                "Manufacturer: Sierra Wireless, Incorporated",
                "Model: EM7455",
                "Revision: SWI9X30C_02.24.05.06 r7040 CARMD-EV-FRMWR2 2017/05/19 06:23:09",
                "IMEI: {imei}",
                "+GCAP: +CGSM",
            ),
            retry_command="AT+CPINC?",
            iccid_command="AT!ICCID?",
            commands={"+CPINC": vc.cpinc, "!ICCID": vc.sierra_iccid, "!RESET": vc.module_reset},
            hotplug=SIERRA,
        ),
        Personality(
            name="telit",
            manufacturer="Telit",
            model="LE910C1-EU",
            revision="25.21.660",
            ati=("Telit", "LE910C1-EU", "25.21.660"),
            retry_command="AT#PCT",
            iccid_command="AT+CCID",
            commands={
                "#PCT": vc.telit_pct,
                "#QSS": vc.telit_qss,
                "#CCID": vc.bare_iccid("#CCID"),
                "#REBOOT": vc.module_reset,
            },
            hotplug=TELIT,
            vendor_defaults={"qss": 0},
        ),
        Personality(
            name="ublox",
            manufacturer="u-blox",
            model="TOBY-L210",
            revision="17.00,A01.00",
            ati=("TOBY-L210-02S-00",),
            retry_command="AT+UPINCNT",
            iccid_command="AT+CCID",
            commands={"+UPINCNT": vc.upincnt},
            hotplug=UBLOX,
        ),
        Personality(
            name="wavecom",
            manufacturer=" WAVECOM MODEM",
            model=" MULTIBAND  900E  1800",
            revision=None,
            ati=(" WAVECOM MODEM", " MULTIBAND  900E  1800"),
            retry_command="AT+CPINC?",
            iccid_command="AT+CCID",
            commands={"+CPINC": vc.cpinc, "+WIND": vc.wind},
            hotplug=WAVECOM,
            cpin_read_final=False,
            clac=None,
            busy_after_cfun=(515, 2),
            vendor_defaults={"wind": 0},
        ),
    )
}
