"""SMS PDU codec throughput: encode and decode PDUs/s for three typical messages.

Run `python benchmarks/sms.py [--count N]`. Each message is encoded to AT
PDU-mode hex and decoded back `count` times, timed with time.perf_counter; a
hex-only pass over the same PDUs is the raw baseline the codec is compared to.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout


def _rate(pdus_per_call: int, count: int, call: Callable[[], object]) -> float:
    start = time.perf_counter()
    for _ in range(count):
        call()
    elapsed = time.perf_counter() - start
    return pdus_per_call * count / elapsed


def main(argv: list[str] | None = None) -> int:
    from tabulate import tabulate

    from harness.sms.address import Address
    from harness.sms.concat import reassemble, submit_parts
    from harness.sms.pdu import SmsPdu
    from harness.sms.tpdu import SmsSubmit

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="iterations per measurement")
    args = parser.parse_args(argv)

    destination = Address.parse("+4917012345678")
    smsc = Address.parse("+4917200000")
    messages = {
        "GSM7, 1 part": "It is easy to read text messages via AT commands.",
        "UCS2, 1 part": "您的验证码是 482913 五分钟内有效 请勿告诉他人。😀",
        "GSM7, 3 parts": ("Your one-time code is 482913. " * 14)[:400],
    }
    rows = []
    for name, text in messages.items():
        parts = submit_parts(destination, text, reference=42)
        hex_pdus = [SmsPdu(part, smsc).to_hex() for part in parts]

        def encode(parts: list[SmsSubmit] = parts) -> list[str]:
            return [SmsPdu(part, smsc).to_hex() for part in parts]

        def decode(hex_pdus: list[str] = hex_pdus) -> object:
            tpdus = [SmsPdu.from_hex(h).tpdu for h in hex_pdus]
            return reassemble([t for t in tpdus if isinstance(t, SmsSubmit)])

        def baseline(hex_pdus: list[str] = hex_pdus) -> list[str]:
            return [bytes.fromhex(h).hex().upper() for h in hex_pdus]

        encode_rate = _rate(len(parts), args.count, encode)
        decode_rate = _rate(len(parts), args.count, decode)
        baseline_rate = _rate(len(parts), args.count, baseline)
        rows.append(
            (
                name,
                len(parts),
                f"{encode_rate:,.0f}",
                f"{decode_rate:,.0f}",
                f"{baseline_rate:,.0f}",
                f"{baseline_rate / decode_rate:,.0f}x",
            )
        )
    headers = ("message", "parts", "encode PDU/s", "decode PDU/s", "hex-only PDU/s", "decode cost")
    print(f"SMS PDU codec, {args.count} iterations per cell")
    print(tabulate(rows, headers=headers, colalign=("left", "right", "right", "right", "right")))
    print()
    return compare_with_gsmmodem(args.count)


def compare_with_gsmmodem(count: int) -> int:
    """Decode the same corpus with the project's codec and python-gsmmodem's decodeSmsPdu.

    The corpus: the known PDUs of harness.sms.vectors (DELIVER, SUBMIT, status reports;
    GSM7, UCS2, 8-bit, concatenated) that python-gsmmodem also decodes. Both sides
    decode from hex to a structure with the text; the project's also checks every
    length (harness.sms.integrity is a separate pass and not timed here).
    """
    from tabulate import tabulate

    from harness.sms.pdu import SmsPdu
    from harness.sms.vectors import PDU_VECTORS

    try:
        from gsmmodem.pdu import decodeSmsPdu
    except ImportError:
        print("python-gsmmodem is not installed (pip install -e '.[bench]'): comparison skipped")
        return 0
    corpus = []
    for vector in PDU_VECTORS:
        try:
            decodeSmsPdu(vector.hex)
        except Exception as exc:  # one it cannot decode is left out of both sides
            print(f"python-gsmmodem cannot decode {vector.name}: {exc!r}; left out")
            continue
        corpus.append(vector.hex)
    blocks = 20  # alternating blocks, median rate: drift (CPU frequency, load) hits both
    per_block = max(1, count // blocks)
    our_rates: list[float] = []
    their_rates: list[float] = []
    for _ in range(blocks):
        our_rates.append(
            _rate(len(corpus), per_block, lambda: [SmsPdu.from_hex(h) for h in corpus])
        )
        their_rates.append(_rate(len(corpus), per_block, lambda: [decodeSmsPdu(h) for h in corpus]))
    ours, theirs = statistics.median(our_rates), statistics.median(their_rates)
    print(
        f"Decoding the same {len(corpus)} PDUs ({len(PDU_VECTORS)} known vectors), "
        f"{count} rounds in {blocks} alternating blocks"
    )
    rows = [
        ("sim-harness SmsPdu.from_hex", f"{ours:,.0f}"),
        ("python-gsmmodem decodeSmsPdu", f"{theirs:,.0f}"),
    ]
    print(tabulate(rows, headers=("decoder", "PDU/s"), colalign=("left", "right")))
    verdict = "not slower" if ours >= theirs else "SLOWER"
    print(f"\nsim-harness/python-gsmmodem = {ours / theirs:.2f} ({verdict})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
