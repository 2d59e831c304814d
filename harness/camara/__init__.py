"""A client for the operator APIs of GSMA Open Gateway / CAMARA, for a bank or a test.

`CamaraClient` speaks sim-swap v2, subscription-status v0.1 and
one-time-password-sms v1 to any endpoint (the virtual bench's, or an
operator's), so the bank scenario runs the same against either.
"""

from harness.camara.client import CamaraApiError, CamaraClient

__all__ = ["CamaraApiError", "CamaraClient"]
