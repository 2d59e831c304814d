"""`Modem`: the one API scenarios, the CLI and tests use on real and virtual modems alike.

    with Modem("/dev/serial/by-id/usb-Quectel_EG25-if02-port0") as modem:
        if modem.sim_state() is SimState.SIM_PIN:
            modem.unlock(read_secret("PIN1", env="SIM_PIN"))
        modem.wait_for_registration(60)
        refs = modem.send_sms("+15555550100", "hello")

Each concern lives in its own module (session: line, init, commands, SIM
state; pins; network; sms; power; csim_link); this class adds identity and
puts them together. Nothing here knows whether the device is real or virtual.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.at.parsers import parse_crsm
from harness.errors import CmeError, CodecError, HarnessError
from harness.modem.csim_link import CsimLink
from harness.modem.identity import ModemIdentity, digits_answer, first_text, normalise_iccid
from harness.modem.network import NetworkOps
from harness.modem.pins import PinOps
from harness.modem.power import PowerOps
from harness.modem.sms_receive import SmsReceiveOps
from harness.sim.card import SimCard
from harness.sim.ef.identity import decode_iccid
from harness.sim.link import ApduTracer

_IMEI_LENGTHS = range(14, 18)  # 15 digits; IMEISV 16; some answer 14 without check digit
_IMSI_LENGTHS = range(6, 16)
_CRSM_READ_ICCID = "AT+CRSM=176,12258,0,0,10"  # READ BINARY EF.ICCID (2FE2), 10 bytes


class Modem(PinOps, NetworkOps, SmsReceiveOps, PowerOps):
    """A cellular modem over AT commands; open it with `with Modem(target) as modem:`.

    Constructor arguments: see `harness.modem.session.ModemSession`.
    """

    # ---- identity ---------------------------------------------------------------------

    def manufacturer_name(self) -> str:
        """AT+CGMI (allowed while the PIN is pending)."""
        if self.manufacturer is None:
            self.manufacturer = first_text(self.command("AT+CGMI").lines, "+CGMI:")
        return self.manufacturer

    def model_name(self) -> str:
        """AT+CGMM."""
        if self.model is None:
            self.model = first_text(self.command("AT+CGMM").lines, "+CGMM:")
        return self.model

    def revision(self) -> str:
        """AT+CGMR (first line: Nokia phones answer five; a 'Revision:' label is dropped)."""
        text = first_text(self.command("AT+CGMR").lines, "+CGMR:")
        label, sep, rest = text.partition(":")
        return rest.strip() if sep and label.strip().lower() == "revision" else text

    def imei(self) -> str:
        """AT+CGSN."""
        return digits_answer(self.command("AT+CGSN").lines, "+CGSN:", "IMEI", _IMEI_LENGTHS)

    def imsi(self) -> str:
        """AT+CIMI; CmeError 11 while the PIN is pending."""
        return digits_answer(self.command("AT+CIMI").lines, "+CIMI:", "IMSI", _IMSI_LENGTHS)

    def iccid(self) -> str:
        """The vendor's ICCID command, else READ BINARY of EF.ICCID over +CRSM."""
        profile = self.profile
        if profile.iccid_command is not None:
            prefixes = (profile.iccid_prefix,) if profile.iccid_prefix else ()
            response = self.try_command(profile.iccid_command, prefixes=prefixes)
            if response is not None:
                try:
                    return normalise_iccid(first_text(response.lines, profile.iccid_prefix))
                except CodecError:
                    pass
        return self._iccid_by_crsm()

    def _iccid_by_crsm(self) -> str:
        response = self.command(_CRSM_READ_ICCID, prefixes=("+CRSM:",))
        lines = response.with_prefix("+CRSM:")
        if not lines:
            raise CodecError(f"{self.name}: {_CRSM_READ_ICCID} answered without +CRSM")
        answer = parse_crsm(lines[0])
        if answer.sw1 not in (0x90, 0x91, 0x92):  # oFono's success set (docs/sources.md §1.10)
            raise CmeError(None, f"SIM answered {answer.sw1:02X}{answer.sw2:02X}", _CRSM_READ_ICCID)
        return decode_iccid(answer.data)

    def identity(self) -> ModemIdentity:
        """Everything at once; IMSI/ICCID None when the SIM does not tell (PIN, absent)."""
        return ModemIdentity(
            manufacturer=self.manufacturer_name(),
            model=self.model_name(),
            revision=_or_empty(self.revision),
            imei=_or_empty(self.imei),
            imsi=_or_none(self.imsi),
            iccid=_or_none(self.iccid),
        )

    # ---- the SIM as an APDU link -------------------------------------------------------

    def sim_link(self, tracer: ApduTracer | None = None) -> CsimLink:
        """An ApduLink over AT+CSIM for `SimCard`; close it (or use `with`) when done."""
        return CsimLink(self, reset=self.power_cycle, tracer=tracer)

    def sim_card(self, tracer: ApduTracer | None = None) -> SimCard:
        """`SimCard` over `sim_link()`, gated by this modem's safety policy; close
        `card.link` when done."""
        return SimCard(self.sim_link(tracer), safety=self.safety)


def _or_none(read: Callable[[], str]) -> str | None:
    try:
        return read()
    except HarnessError:
        return None


def _or_empty(read: Callable[[], str]) -> str:
    return _or_none(read) or ""
