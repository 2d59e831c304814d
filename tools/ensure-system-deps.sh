#!/usr/bin/env bash
# Install the Debian packages sim-harness needs for the real PC/SC path, when missing.
# As root: apt-get install (running `apt-get update` and retrying if the first try fails).
# Not root: print the exact command and stop.
set -euo pipefail

# pcscd + vpcd: the real PC/SC stack; pcsc-tools: pcsc_scan/scriptor in the tests;
# libpcsclite-dev: pyscard builds against it; iproute2: `ip` brings up the private
# namespace's loopback; util-linux: unshare/nsenter/setpriv; gcc: pyscard's C extension.
# gammu: a third-party modem tool the tests run against the virtual modem.
# tshark: Wireshark's dissectors read the GSMTAP SIM packets of `card serve --gsmtap`.
packages=(pcscd vsmartcard-vpcd pcsc-tools libpcsclite-dev iproute2 util-linux gcc gammu tshark)

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "ensure-system-deps: not a Debian system; install pcscd, vsmartcard-vpcd, pcsc-tools" \
       "and the PC/SC headers (libpcsclite-dev) with your package manager." >&2
  exit 0
fi

missing=()
for pkg in "${packages[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done
python_include=$(${PYTHON:-python3} -c 'import sysconfig; print(sysconfig.get_paths()["include"])' 2>/dev/null || true)
if [ -n "$python_include" ] && [ ! -f "$python_include/Python.h" ]; then
  echo "ensure-system-deps: Python headers missing ($python_include/Python.h);" \
       "pyscard cannot build. Install the -dev package of your Python (e.g. python3-dev)." >&2
fi
[ ${#missing[@]} -eq 0 ] && exit 0

command_line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-system-deps: missing Debian packages: ${missing[*]}" >&2
  echo "Run as root:  apt-get update && $command_line" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "ensure-system-deps: installing ${missing[*]}"
if ! $command_line </dev/null; then
  apt-get update </dev/null
  $command_line </dev/null
fi
