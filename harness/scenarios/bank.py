"""bank: SIM swap fraud against a bank that trusts "phone number + SMS code".

The fraudster talks the operator into moving the victim's number onto a SIM
of their own (a SIM swap), then logs in to the bank with the number: the
bank's code now reaches the fraudster's phone, whatever PIN the victim's SIM
had. Two banks are tried:

- bank A trusts a valid SMS code: VULNERABLE;
- bank B asks the operator's SIM Swap API (CAMARA `/check`, maxAge 240 h)
  before trusting the code, and refuses: PROTECTED.

The baseline, without which a verdict is INCONCLUSIVE: before the swap each
bank lets the owner in (a bank that refuses everyone proves nothing), and
after it the fraudster's phone really shows that bank's code (the attack got
as far as the bank). Codes are read off the phones with the Modem driver.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from harness.scenarios.bank_login import Bank, LoginOutcome
from harness.scenarios.evidence import CaptureEvidence
from harness.scenarios.interfaces import SentOtp
from harness.scenarios.otp_capture import otp_capture
from harness.scenarios.result import Check, Finding, Participant, ScenarioResult, Timeline
from harness.scenarios.stage import OWNER, THIEF, Stage
from harness.scenarios.steps import (
    device,
    move_sim,
    prepare_owner,
    record_capture,
    unlock_if_asked,
)

__all__ = ["BANK_PARTICIPANTS", "CHECKING_SUBJECT", "TRUSTING_SUBJECT", "run_bank"]

TRUSTING_SUBJECT = "a bank that trusts the SMS code, after a SIM swap"
CHECKING_SUBJECT = "a bank that checks SIM swap first, after a SIM swap"

BANK_PARTICIPANTS = [
    Participant("Owner", "Owner's phone"),
    Participant("Thief", "Fraudster's phone"),
    Participant("Operator", "Operator (customer service)"),
    Participant("Api", "Operator APIs (CAMARA)"),
    Participant("Network", "Network / SMSC"),
    Participant("Bank", "Bank"),
]


@dataclass
class _CodeSource:
    """The bank's send-code as an OtpSource, so otp_capture watches the phone for it."""

    bank: Bank
    name: str = "bank"
    authentication_id: str = ""

    def send_otp(self, msisdn: str, label: str) -> SentOtp:
        self.authentication_id = self.bank.start_login(msisdn)
        return SentOtp(msisdn, label)  # the operator makes the code: the bank never sees it


@dataclass(frozen=True)
class _Login:
    evidence: CaptureEvidence
    outcome: LoginOutcome


def run_bank(stage: Stage) -> ScenarioResult:
    if stage.otp_sms is None or stage.sim_swap is None:
        raise ValueError("the bank scenario needs the operator's OTP and SIM Swap APIs")
    started = time.monotonic()
    result = ScenarioResult(
        "bank", "SIM swap fraud against banks", stage.bench, True, list(BANK_PARTICIPANTS)
    )
    tl = Timeline()
    banks = [
        Bank("bank A", stage.otp_sms, None),
        Bank("bank B", stage.otp_sms, stage.sim_swap),
    ]
    prepare_owner(stage, tl, pin_enabled=True)  # the PIN does not stop a SIM swap
    tl.note("Bank", f"operator APIs: {stage.operator_api or 'CAMARA'}")
    owner = [_login(stage, tl, bank, OWNER) for bank in banks]

    stage.operator.swap_sim(stage.msisdn, stage.replacement, by="fraudster")
    tl.act("Thief", "Operator", f"poses as the owner, asks for a new SIM for {stage.msisdn}")
    tl.act("Operator", "Network", f"swaps the line onto SIM '{stage.replacement}'")
    move_sim(stage, tl, stage.replacement, THIEF, actor="Thief", how="the swapped-in ")
    unlock_if_asked(stage, tl, THIEF, stage.replacement)
    stage.thief.enable_registration_urcs()
    state = stage.thief.wait_for_registration(stage.delivery_timeout_s)
    tl.act("Network", "Thief", f"registered ({state.status.name.lower()})", dashed=True)
    fraud = [_login(stage, tl, bank, THIEF) for bank in banks]

    result.findings = [
        _finding(TRUSTING_SUBJECT, banks[0], owner[0], fraud[0]),
        _finding(CHECKING_SUBJECT, banks[1], owner[1], fraud[1]),
    ]
    for finding in result.findings:
        tl.note("Bank", f"{finding.verdict.value}: {finding.subject}")
    result.steps = tl.steps
    result.evidence = [login.evidence for login in (*owner, *fraud)]
    result.transcripts = dict(stage.transcripts)
    result.duration_s = time.monotonic() - started
    return result


def _login(stage: Stage, tl: Timeline, bank: Bank, name: str) -> _Login:
    """Someone logs in to `bank` with the victim's number, on phone `name`."""
    who = "Owner" if name == OWNER else "Thief"
    label = f"{bank.name} code"
    tl.act(who, "Bank", f"logs in to {bank.name} as {stage.msisdn}")
    tl.act("Bank", "Api", "POST /one-time-password-sms/v1/send-code")
    tl.act("Api", "Network", f"SMS with the code to {stage.msisdn}")
    source = _CodeSource(bank)
    evidence = otp_capture(
        device(stage, name),
        source,
        stage.msisdn,
        label=label,
        window_s=stage.delivery_timeout_s,
        name=name,
    )
    record_capture(tl, name, evidence)
    code = evidence.code if evidence.captured else None
    tl.act(who, "Bank", f"types the code ({code})" if code else "has no code to type")
    outcome = bank.finish_login(stage.msisdn, source.authentication_id, code)
    if code is not None:
        answer = "204 valid" if outcome.code_valid else "refused"
        tl.act("Bank", "Api", "POST /one-time-password-sms/v1/validate-code")
        tl.act("Api", "Bank", answer, dashed=True)
    if outcome.swapped is not None:
        tl.act("Bank", "Api", f"POST /sim-swap/v2/check (maxAge {bank.max_age_hours})")
        tl.act("Api", "Bank", f"swapped: {str(outcome.swapped).lower()}", dashed=True)
    tl.act("Bank", who, outcome.summary(), dashed=not outcome.granted)
    return _Login(evidence, outcome)


def _finding(subject: str, bank: Bank, owner: _Login, fraud: _Login) -> Finding:
    out = fraud.outcome
    fraud_code = fraud.evidence.code if fraud.evidence.captured else None
    baseline = Check(
        "baseline",
        f"{bank.name} lets the owner in before the swap, and the fraudster's phone "
        "shows its code after it",
        owner.outcome.granted and fraud_code is not None,
        f"owner: {owner.outcome.summary()}; fraudster's phone: "
        + (f"shows the code ({fraud_code})" if fraud_code else "shows no code"),
    )
    asked = (
        f"POST /sim-swap/v2/check maxAge {bank.max_age_hours} -> swapped: "
        f"{str(out.swapped).lower()}"
        if out.swapped is not None
        else "the bank did not ask the operator"
    )
    checks = [
        Check(
            "asked",
            "the bank asked the operator's SIM Swap API before trusting the code",
            out.swapped is not None,
            asked,
        ),
        Check(
            "refused",
            "the bank refused the fraudster's login",
            not out.granted,
            f"{out.summary()} (code valid: {'yes' if out.code_valid else 'no'})",
        ),
    ]
    headline = f"{bank.name}: the fraudster's {out.summary()}"
    return Finding.of(subject, checks, baseline=baseline, headline=headline)
