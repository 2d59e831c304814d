"""A PDP context definition as the modem stores it (TS 27.007 §10.1.1 +CGDCONT fields)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MAX_APN", "MAX_CID", "PDP_TYPES", "PdpContext", "default_contexts"]

MAX_CID = 15
PDP_TYPES = ("IP", "IPV6", "IPV4V6")
MAX_APN = 100  # TS 23.003 §9.1: an APN is at most 100 octets


@dataclass(frozen=True)
class PdpContext:
    pdp_type: str = "IP"
    apn: str = ""
    address: str = ""
    d_comp: int = 0
    h_comp: int = 0

    def line(self, cid: int) -> str:
        return (
            f'+CGDCONT: {cid},"{self.pdp_type}","{self.apn}","{self.address}",'
            f"{self.d_comp},{self.h_comp}"
        )


def default_contexts() -> dict[int, PdpContext]:
    """Context 1, IP, empty APN (the network picks its default): what modules ship with."""
    return {1: PdpContext()}
