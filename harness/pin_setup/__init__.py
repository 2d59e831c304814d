"""The bench engineer's PIN utility, one implementation for modems and readers.

Modules: device (`PinDevice` over a `Modem` or a `SimCard`), tool (`PinTool`: status,
guided setup, unlock, enable, disable, change, unblock), weak (the weak-PIN rules,
also used by `attack audit`), lists (the common-PIN lists and their sources),
confirm (the ICCID confirmation behind the risky flags), report (results as text or
JSON, exit codes), opening (a device from --port or --reader).
"""
