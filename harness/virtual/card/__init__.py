"""The virtual UICC: a card that answers APDUs as TS 102 221 / TS 51.011 define them.

Modules: uicc (`VirtualUicc`), uicc_commands and gsm_commands (the CLA 00 and
CLA A0 command sets), pin_commands and pins (PIN/PUK and their counters), fs,
files, layout, fileinfo (the file system and its FCP/GSM answers), access
(access conditions), context (selection state), profile (the TOML card
profile), state (the persistent EEPROM), serve (a card in a vpcd reader).
"""
