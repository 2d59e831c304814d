"""Simulators: the device side. They import codecs only, never the drivers."""
