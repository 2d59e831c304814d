"""The virtual modem's AT commands, one module per group: general (27.007 identification,
settings, registration), pin and sim (27.007 §8: PIN, SIM access), sms (27.005), packet
(27.007 §10), vendor (each personality's own). `standard` assembles the 27.007/27.005 table
the device hands to its firmware; command modules depend on the firmware, never the reverse.
"""
