"""The virtual modem's firmware: one command line in, the bytes a modem would answer out.

It owns the modem-side state (settings, +CFUN level, registration, SMS
memories) and talks to its SIM only through `SimIo` APDUs. Ports, threads and
byte-level faults live elsewhere (`ports`, `session`, `device`); this class is
called with the device lock held, from one thread at a time.

Gate (27.007 §8.3 note, docs/sources.md §1.2/§6.2): while the SIM waits for its PIN or
PUK, only identification, +CPAS, +CFUN, +CPIN, +CPINR, +CMEE, SIM-status and
SIM-access commands (and the personality's own) run; others answer
+CME ERROR 11/12/13, or +CMS ERROR 311/316/313 for SMS commands.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from harness.errors import CodecError
from harness.virtual.air_interface import Network, Terminal
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem.at_syntax import AtCommand, AtSyntaxError, Kind, parse_line
from harness.virtual.modem.faults import FaultConfig
from harness.virtual.modem.hotplug import HotPlug
from harness.virtual.modem.pdp import default_contexts
from harness.virtual.modem.radio import Radio
from harness.virtual.modem.replies import (
    AtFault,
    CmeFault,
    CmsFault,
    NotSupported,
    PendingPrompt,
    Reply,
    error_text,
    frame,
    info_block,
)
from harness.virtual.modem.settings import Settings
from harness.virtual.modem.sim_io import SimError, SimIo
from harness.virtual.modem.sim_state import SimState
from harness.virtual.modem.sms.ack import ACK_TIMEOUT_S
from harness.virtual.modem.sms.service import SmsService
from harness.virtual.sim_view import SimPinView

log = logging.getLogger(__name__)

Handler = Callable[["Firmware", AtCommand], "list[str] | Reply"]


@dataclass(frozen=True)
class CommandTable:
    """The commands a firmware runs, handed to it by whoever assembles the device
    (harness.virtual.modem.commands.standard), so that command modules depend on the firmware
    and never the reverse. `sms`: the names whose PIN-gate refusal is +CMS, not +CME."""

    handlers: Mapping[str, Handler]
    sms: frozenset[str] = frozenset()


# Accepted whatever the PIN state (27.007 §8.3 note and the SIM-access commands a host
# needs to learn that state); basic V.250 commands (E, Z, I, &F...) are always accepted.
ALWAYS_ALLOWED = frozenset(
    {
        "+CGMI",
        "+GMI",
        "+CGMM",
        "+GMM",
        "+CGMR",
        "+GMR",
        "+CGSN",
        "+GSN",
        "+CPAS",
        "+CFUN",
        "+CPIN",
        "+CPINR",
        "+CMEE",
        "+CDIS",
        "+CIND",
        "+CLAC",
        "+CSIM",
        "+CRSM",
        "+CCID",
        "+ICCID",
        # Not tied to the SIM by 27.007: the capability list (+GCAP), the TE character
        # set (+CSCS, §5.5), signal quality (+CSQ, §8.5: the radio measures it without
        # a SIM) and the PDP context definitions the modem keeps (+CGDCONT, §10.1.1).
        "+GCAP",
        "+CSCS",
        "+CSQ",
        "+CGDCONT",
    }
)
# Test forms (=?) answered whatever the PIN state: they list what the command takes.
ALWAYS_ALLOWED_TEST = frozenset({"+CLCK", "+CPWD"})


class Dialect(Protocol):
    """A vendor's dialect as the firmware and its commands read it (harness.virtual.modem.
    personalities defines them); a protocol, so the firmware never imports its personalities."""

    @property
    def manufacturer(self) -> str: ...
    @property
    def model(self) -> str: ...
    @property
    def revision(self) -> str | None: ...
    @property
    def ati(self) -> tuple[str, ...]: ...
    @property
    def commands(self) -> Mapping[str, Handler]: ...
    @property
    def hotplug(self) -> HotPlug: ...
    @property
    def unknown_answer(self) -> str: ...
    @property
    def cpin_read_final(self) -> bool: ...
    @property
    def clac(self) -> Callable[[list[str]], list[str]] | None: ...
    @property
    def busy_after_cfun(self) -> tuple[int, int] | None: ...
    @property
    def default_cmee(self) -> int: ...
    @property
    def vendor_defaults(self) -> Mapping[str, int]: ...


class Firmware:
    """Executes command lines against one SIM, one network and the modem's settings."""

    def __init__(
        self,
        personality: Dialect,
        *,
        commands: CommandTable,
        imei: str,
        card: VirtualUicc | None,
        network: Network,
        faults: FaultConfig,
        owner: Terminal,
        urc_sink: Callable[[bytes], None],
        ack_timeout: float = ACK_TIMEOUT_S,
    ) -> None:
        self.personality = personality
        self.imei = imei
        self.network = network
        self.faults = faults
        self.owner = owner
        self._urc_sink = urc_sink
        self.commands: Mapping[str, Handler] = {**commands.handlers, **personality.commands}
        self._sms_commands = commands.sms
        self.settings = self.default_settings()
        self.cfun = 1
        self.card = card
        self.card_on = card is not None
        self.radio = Radio(self)
        self.sms = SmsService(self, ack_timeout)
        self.busy_left = 0
        self.fdn_enabled = False
        self.pdp_contexts = default_contexts()  # NV: kept over ATZ and power cycles
        self.lines_run = 0
        self._noise = 0
        self._deferred: list[Callable[[], None]] = []
        self._held: list[str] | None = None  # URCs raised while a command runs
        if card is not None:
            card.power_on()  # the modem boots with its SIM: a fresh card session

    def default_settings(self) -> Settings:
        return Settings(
            cmee=self.personality.default_cmee, vendor=dict(self.personality.vendor_defaults)
        )

    # --- the SIM -----------------------------------------------------------------
    def sim_state(self) -> SimState:
        """Asked of the card every time (SimView APDUs): nothing is cached."""
        if self.card is None:
            return SimState.ABSENT
        if not self.card_on:
            return SimState.OFF
        return SimState.from_cpin(SimIo(self.card).pin_view().cpin)

    def require_sim(self) -> SimIo:
        """The SIM interface, or +CME ERROR 10 (absent) / 13 (powered down)."""
        if self.card is None:
            raise CmeFault(SimState.ABSENT.cme)
        if not self.card_on:
            raise CmeFault(SimState.OFF.cme)
        return SimIo(self.card)

    def pin_view(self) -> SimPinView:
        return self.require_sim().pin_view()

    def read_iccid(self) -> str:
        """EF.ICCID, readable whatever the PIN state (access condition ALWAYS)."""
        try:
            return self.require_sim().iccid()
        except (SimError, CodecError):
            raise CmeFault(13) from None

    # --- command lines -------------------------------------------------------------
    def run_line(self, line: str) -> tuple[bytes, PendingPrompt | None]:
        """Execute one command line; returns the answer and the prompt it opened, if any."""
        try:
            commands = parse_line(line)
        except AtSyntaxError:
            self.lines_run += 1
            return self._final("ERROR"), None
        if commands is None:
            return b"", None  # no "AT" on the line: V.250 §5.2.1 ignores it
        self.lines_run += 1
        self._held = [] if self._held is None else self._held
        out = bytearray()
        for command in commands:
            try:
                reply = self.execute(command)
            except AtFault as fault:
                return bytes(out + self._error(fault)), None
            out += info_block(reply.lines)
            if reply.prompt is not None:
                out += b"\r\n> "
                if self.faults.urc_after_prompt:
                    out += frame(self._noise_line())
                return bytes(out), reply.prompt
            if not reply.final:
                return bytes(out), None
        return bytes(out + self._final("OK")), None

    def execute(self, command: AtCommand) -> Reply:
        if self.busy_left > 0 and self.personality.busy_after_cfun is not None:
            self.busy_left -= 1
            raise CmeFault(self.personality.busy_after_cfun[0])
        self.sms.ack.check()  # a +CNMA timeout shows from the next command on
        handler = self.commands.get(command.name)
        if handler is None:
            raise NotSupported(command.name)
        self._gate(command)
        try:
            result = handler(self, command)
        except AtFault:
            raise
        except SimError as error:  # the card refused something the handler did not expect
            log.warning("%s: SIM answered %04X", command.name, error.sw)
            raise CmeFault(13) from None
        except Exception:  # a simulator bug must not kill the port: answer like firmware
            log.exception("virtual modem failed on %s", command.name)
            raise CmeFault(100) from None
        return result if isinstance(result, Reply) else Reply(list(result))

    def _gate(self, command: AtCommand) -> None:
        name = command.name
        if not command.is_extended or name in ALWAYS_ALLOWED or name in self.personality.commands:
            return
        if command.kind is Kind.TEST and name in ALWAYS_ALLOWED_TEST:
            return
        if self.card is None or not self.card_on:
            return  # commands that need the SIM say so themselves (CME 10 / CMS 310)
        state = self.sim_state()
        if state.locked:
            if name in self._sms_commands:
                raise CmsFault(state.cms)
            raise CmeFault(state.cme)

    def finish_prompt(self, prompt: PendingPrompt, text: str) -> bytes:
        """The text typed after `> ` arrived with Ctrl-Z: send or store it."""
        self._held = [] if self._held is None else self._held
        try:
            lines = self.sms.complete_prompt(prompt, text)
        except AtFault as fault:
            return self._error(fault)
        except (SimError, CodecError):
            return self._error(CmsFault(500))
        return info_block(lines) + self._final("OK")

    def _error(self, fault: AtFault) -> bytes:
        cmee = 2 if self.faults.verbose_cmee else self.settings.cmee
        return self._final(error_text(fault, cmee, self.personality.unknown_answer))

    def _final(self, text: str) -> bytes:
        out = bytearray()
        if self.faults.urc_in_response:
            out += frame(self._noise_line())
        out += frame(text)
        for _ in range(self.faults.urc_burst):
            out += frame(self._noise_line())
        return bytes(out)

    def _noise_line(self) -> str:
        """A harmless indicator event (27.007 §8.9 +CIEV) for the URC fault knobs."""
        self._noise += 1
        return f"+CIEV: 2,{self._noise % 6}"

    # --- unsolicited output and deferred work ----------------------------------------
    def urc(self, *lines: str) -> None:
        """Send indications; raised while a command runs, they follow its answer."""
        if self._held is not None:
            self._held.extend(lines)
            return
        for line in lines:
            self._urc_sink(frame(line))

    def defer(self, action: Callable[[], None]) -> None:
        """Run `action` after the current answer is on its way (URCs that follow an OK)."""
        self._deferred.append(action)

    def run_deferred(self) -> None:
        """After an answer went out: the URCs it raised, then the work it deferred."""
        held, self._held = self._held or [], None
        self.urc(*held)
        while self._deferred:
            self._deferred.pop(0)()

    # --- device events -------------------------------------------------------------
    def sim_ready(self) -> None:
        """PIN or PUK accepted: the personality's URCs, then registration."""
        self.urc(*self.personality.hotplug.ready(self))
        self.radio.try_register()

    def restart(self) -> None:
        """Power cycle: defaults back, the SIM re-powered (nothing verified), registration anew."""
        self.settings = self.default_settings()
        self.radio.detach()
        self.cfun = 1
        self.busy_left = 0
        self.fdn_enabled = False
        self.sms.reset_volatile()
        if self.card is not None:
            self.card.power_off()
            self.card.power_on()
            self.card_on = True
        self.urc(*self.personality.hotplug.boot(self, self.sim_state()))
        self.radio.try_register()

    def insert_sim(self, card: VirtualUicc) -> None:
        if self.card is not None:
            raise ValueError("a SIM is already inserted; call remove_sim() first")
        self.card = card
        self.card_on = self.cfun != 0
        if self.card_on:
            card.power_on()
        self.urc(*self.personality.hotplug.insert(self, self.sim_state()))
        self.radio.try_register()

    def remove_sim(self) -> VirtualUicc | None:
        card = self.card
        if card is None:
            return None
        self.radio.detach()
        card.power_off()
        self.card = None
        self.card_on = False
        self.urc(*self.personality.hotplug.remove(self))
        return card

    def set_power(self, fun: int) -> None:
        """+CFUN levels: 0 powers the SIM down, 4 keeps it but leaves the network, 1 is full."""
        if fun in (0, 4):
            self.radio.detach()
        if fun == 0 and self.card is not None and self.card_on:
            self.card.power_off()
            self.card_on = False
        if fun != 0 and self.card is not None and not self.card_on:
            self.card.power_on()  # a fresh session: nothing verified
            self.card_on = True
        self.cfun = fun
        if fun == 1:
            if self.personality.busy_after_cfun is not None:
                self.busy_left = self.personality.busy_after_cfun[1]
            self.defer(self.radio.try_register)
