"""SIM access through the virtual modem: identities read by APDU, +CSIM byte for byte, +CRSM."""

from __future__ import annotations

from test_virtual_modem_support import modem_on_pty, new_card, unlock

from harness.sim.ef.identity import encode_iccid
from harness.virtual.sim_view import SimView

ICCID = "8988211000000000018"


def test_identities_come_from_the_card() -> None:
    card = new_card(card__imsi="001019876543210", card__msisdn="+15551230000")
    with modem_on_pty(card) as (_, port):
        assert port.lines("AT+CCID") == [f"+CCID: {ICCID}", "OK"]  # ALWAYS readable
        assert port.lines("AT+ICCID") == [f"+ICCID: {ICCID}", "OK"]
        unlock(port)
        assert port.lines("AT+CIMI") == ["001019876543210", "OK"]
        assert port.lines("AT+CNUM") == ['+CNUM: "","+15551230000",145', "OK"]


def test_no_sim_answers_sim_not_inserted() -> None:
    with modem_on_pty(None) as (_, port):
        assert port.lines("AT+CPIN?") == ["+CME ERROR: 10"]
        assert port.lines("AT+CIMI") == ["+CME ERROR: 10"]
        assert port.lines("AT+CCID") == ["+CME ERROR: 10"]
        assert port.lines("AT+CMGL=4") == ["+CMS ERROR: 310"]
        assert port.lines("AT+CREG?") == ["+CREG: 0,0", "OK"]


def test_csim_passes_apdus_byte_for_byte() -> None:
    card, twin = new_card(), new_card()
    apdus = [
        "00A40004023F00",  # SELECT MF -> 61xx (T=0), passed back as is
        None,  # GET RESPONSE with the length the card gave
        "0020000100",  # empty VERIFY: 63C3
        "002000010839393939FFFFFFFF",  # wrong PIN: 63C2
        "002C000100",  # PUK counter: 63CA
        "00B0000001",  # READ BINARY with no EF selected
    ]
    with modem_on_pty(card) as (_, port):
        last = ""
        for step in apdus:
            apdu = step if step is not None else "00C00000" + last[-2:]
            expected = twin.transmit(bytes.fromhex(apdu)).hex().upper()
            assert port.lines(f'AT+CSIM={len(apdu)},"{apdu}"') == [
                f'+CSIM: {len(expected)},"{expected}"',
                "OK",
            ]
            last = expected
        assert last == "6986"
        assert SimView(card).read().pin1 == 2  # the wrong VERIFY counted on the card
        assert port.lines('AT+CSIM=9,"0020000100"') == ["+CME ERROR: 50"]
        assert port.lines('AT+CSIM=4,"0020"') == ["+CME ERROR: 50"]


def test_crsm_reads_files_with_decimal_status_words() -> None:
    card = new_card()
    with modem_on_pty(card) as (_, port):
        iccid_hex = encode_iccid(ICCID).hex().upper()
        assert port.lines("AT+CRSM=176,12258,0,0,10") == [f'+CRSM: 144,0,"{iccid_hex}"', "OK"]
        # EF.IMSI before the PIN: security status not satisfied, 6982 = 105,130
        assert port.lines("AT+CRSM=176,28423,0,0,9") == ["+CRSM: 105,130", "OK"]
        assert port.lines("AT+CRSM=176,20000,0,0,1") == ["+CRSM: 106,130", "OK"]  # 6A82
        fcp = port.lines("AT+CRSM=192,28423,0,0,0")[0]
        assert fcp.startswith('+CRSM: 144,0,"62') and "6F07" in fcp
        unlock(port)
        assert port.lines('AT+CRSM=176,28423,0,0,9,,"3F007F20"') == [
            '+CRSM: 144,0,"080910100000000081"',
            "OK",
        ]
        status = port.lines("AT+CRSM=242,0,0,0,0")[0]
        assert status.startswith('+CRSM: 144,0,"62')
        record = port.lines("AT+CRSM=178,28480,1,4,26")[0]
        assert record.startswith('+CRSM: 144,0,"FFFF')
        assert port.lines("AT+CRSM=99,28480") == ["+CME ERROR: 50"]
        # UPDATE RECORD of EF.SMSP through +CRSM: what +CSCA? then reads back
        assert port.lines("AT+CSCA?") == ['+CSCA: "+15550000000",145', "OK"]
        smsp_record = port.lines("AT+CRSM=178,28482,1,4,40")[0].split('"')[1]
        new = smsp_record.replace("07915155000000F0", "07915155000090F9")
        assert new != smsp_record
        assert port.lines(f'AT+CRSM=220,28482,1,4,40,"{new}"') == ["+CRSM: 144,0", "OK"]
        assert port.lines("AT+CSCA?") == ['+CSCA: "+15550000099",145', "OK"]
