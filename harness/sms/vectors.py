"""Known PDUs with their full decoded form: docs/sources.md §5.8 V1..V8 and the +CMGR
fixture, plus two +CDS status reports recorded in public AT-parser test fixtures.

Kept beside the codec so tests and benchmarks share them: each must decode to
`decoded` and `decoded` must re-encode to exactly `hex`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from harness.sms.address import Address
from harness.sms.dcs import DataCoding
from harness.sms.pdu import SmsPdu
from harness.sms.status_report import SmsStatusReport
from harness.sms.tpdu import SmsDeliver, SmsSubmit
from harness.sms.udh import Concatenation, UserDataHeader
from harness.sms.userdata import UserData
from harness.sms.validity import RelativeValidity


@dataclass(frozen=True)
class PduVector:
    name: str
    hex: str
    decoded: SmsPdu
    tpdu_length: int


def _at(text: str, hours: float) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone(timedelta(hours=hours)))


PDU_VECTORS: tuple[PduVector, ...] = (
    PduVector(
        "V1 ModemManager test_pdu3: DELIVER GSM7",
        "07912143658709F1040B918100551512F20000111010214365000AE8329BFD4697D9EC37",
        SmsPdu(
            SmsDeliver(
                Address.parse("+18005551212"),
                _at("2011-01-01 12:34:56", 0),
                UserData("hellohello"),
            ),
            Address.parse("+12345678901"),
        ),
        28,
    ),
    PduVector(
        "V2 ModemManager test_pdu2: alphanumeric sender, UCS2",
        "07919730071111F10414D04937BD2C7797E9D3E614000811309291024061080442043504410442",
        SmsPdu(
            SmsDeliver(
                Address.alphanumeric("InternetSMS"),
                _at("2011-03-29 19:20:04", 4),
                UserData("тест"),
                DataCoding(0x08),
            ),
            Address.parse("+79037011111"),
        ),
        31,
    ),
    PduVector(
        "V3 python-gsmmodem: developershome example, TZ +08",
        "07915892000000F0040B915892214365F700007040213252242331493A283D0795C3F33C88FE06C9CB6132"
        "885EC6D341EDF27C1E3E97E7207B3A0C0A5241E377BB1D7693E72E",
        SmsPdu(
            SmsDeliver(
                Address.parse("+85291234567"),
                _at("2007-04-12 23:25:42", 8),
                UserData("It is easy to read text messages via AT commands."),
            ),
            Address.parse("+85290000000"),
        ),
        62,
    ),
    PduVector(
        "V4 python-gsmmodem: SUBMIT without SMSC or VP",
        "0001000B917228001011F100000CC8329BFD065DDF72363904",
        SmsPdu(SmsSubmit(Address.parse("+27820001111"), UserData("Hello World!"))),
        24,
    ),
    PduVector(
        "V5 python-gsmmodem: SUBMIT with relative VP and SRR",
        "07911326040000F0310D0B911326880736F40000A90FF7FBDD454E87CDE1B0DB357EB701",
        SmsPdu(
            SmsSubmit(
                Address.parse("+31628870634"),
                UserData("www.diafaan.com"),
                message_reference=0x0D,
                validity=RelativeValidity(0xA9),
                status_report_request=True,
            ),
            Address.parse("+31624000000"),
        ),
        28,
    ),
    PduVector(
        "V6 python-gsmmodem: concatenated part, fill bit set to 1",
        "0591721891F1400781721881F800003160526104848059050003C30101916536FB1DCABEEB2074D85E06494"
        "1B19CAB060319A5C522289C96D3D3ED32286C0FA7D96131BBEC024941B19CAB0603DDD36C36A88C87A7E5"
        "65D0DB0D82C55EB0DB4B068BCD5C20",
        SmsPdu(
            SmsDeliver(
                Address("2781188"),
                _at("2013-06-25 16:40:48", 2),
                UserData(
                    "Hello!You have R 19.50 FREE airtime available. "
                    "R 19.50 will expire on 01/07/2013. ",
                    header=UserDataHeader.build(Concatenation(0xC3, 1, 1)),
                    fill=1,
                ),
                more_messages=True,
            ),
            Address.parse("+2781191"),
        ),
        95,
    ),
    PduVector(
        "V7 ModemManager test_create_pdu_gsm_3: SUBMIT, VP 5 min",
        "0011000B915155661632F40000001954747A0E4ACF41F27298CDCE83C6EF371B0481402010",
        SmsPdu(
            SmsSubmit(
                Address.parse("+15556661234"),
                UserData("This is really cool ΔΔΔΔΔ"),
                validity=RelativeValidity(0),
            )
        ),
        36,
    ),
    PduVector(
        "V8 ModemManager test_pdu1: extension characters, TZ -05",
        "07912104442961F4040B916171957291F800001120821105050A6AC8B2BC7C9A83C220F6DB7D2ECB41EDF"
        "27C1E3E97411BDE06754FD3D1A0F9BB5D0695F1F4B29B5C2683C6E8B03C3CA697E5F34D6AE303D1D1F2F7"
        "DD0D4ABB59A0797D8C0685E7A00028EC26832A960B28EC2683BE6050780EBA97D96C17",
        SmsPdu(
            SmsDeliver(
                Address.parse("+16175927198"),
                _at("2011-02-28 11:50:50", -5),
                UserData(
                    "Here's a longer message [{with some extended characters}] thrown in, "
                    "such as £ and ΩΠΨ and §¿ as well."
                ),
            ),
            Address.parse("+12404492164"),
        ),
        112,
    ),
    PduVector(
        "+CMGR: 0,,26 fixture (docs/sources.md §5.8)",
        "07913306092011F0040B913336766883F5000061216212807140074A351A8D56AB01",
        SmsPdu(
            SmsDeliver(
                Address.parse("+33636786385"),
                _at("2016-12-26 21:08:17", 1),
                UserData("Jjhhhjj"),
            ),
            Address.parse("+33609002110"),
        ),
        26,
    ),
    PduVector(
        "+CDS: 25 status report, delivered (public AT-parser fixture)",
        "07919761989901F006270B917777777777F7515012113320215150121133402100",
        SmsPdu(
            SmsStatusReport(
                message_reference=0x27,
                recipient=Address.parse("+77777777777"),
                timestamp=_at("2015-05-21 11:33:02", 3),
                discharge_time=_at("2015-05-21 11:33:04", 3),
                status=0x00,
            ),
            Address.parse("+79168999100"),
        ),
        25,
    ),
    PduVector(
        "+CDS: 25 status report, TP-ST 30 still trying (public AT-parser fixture)",
        "07919761989901F006280B917777777777F7515012118383215150121183752130",
        SmsPdu(
            SmsStatusReport(
                message_reference=0x28,
                recipient=Address.parse("+77777777777"),
                timestamp=_at("2015-05-21 11:38:38", 3),
                discharge_time=_at("2015-05-21 11:38:57", 3),
                status=0x30,
            ),
            Address.parse("+79168999100"),
        ),
        25,
    ),
)
