"""sim-harness: prove SIM-PIN defences on modems and SIM cards, real or virtual."""

__version__ = "0.1.0"
