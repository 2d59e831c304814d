"""A bench-file hook for the tests: asks the test's BenchControl to do this step.

Everything it needs arrives as the harness passes it to any hook: the step and
its values in SIMHARNESS_* variables (argv placeholders are checked by the
test separately). Prints code=/sender= for send_otp, as a bank's hook would.
"""

from __future__ import annotations

import json
import os
import socket
import sys

FIELDS = ("step", "msisdn", "sim", "device", "port", "role", "label", "by")


def main() -> int:
    request = {name: os.environ.get(f"SIMHARNESS_{name.upper()}", "") for name in FIELDS}
    request["argv"] = " ".join(sys.argv[1:])
    request["pin_vars"] = ",".join(sorted(k for k in os.environ if k.endswith("SIM_PIN")))
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(os.environ["SIMHARNESS_TEST_CONTROL"])
        sock.sendall(json.dumps(request).encode() + b"\n")
        answer = json.loads(sock.makefile("r").readline())
    if not answer["ok"]:
        print(f"bench refused {request['step']}: {answer['error']}", file=sys.stderr)
        return 1
    if "code" in answer:
        print(f"code={answer['code']}")
        print(f"sender={answer['sender']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
