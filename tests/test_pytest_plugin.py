"""The pytest plugin, tested as pytest plugins are: pytester sessions with their own files.

Each test writes a throwaway test file (and a bench file), runs pytest on it in
process — the plugin comes from the package's entry point, as in a lab's
repository — and checks the outcomes, the skip reasons, the JUnit XML and the
evidence directory. Bench files here name simulated devices (`virtual = true`,
no port), which the bench builds per open; the plugin never sees a simulator.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytestmark = pytest.mark.usefixtures("lean_pytester")


TWO_MODEMS_ONE_READER = """
sacrificial_iccids = ["8988211000000000018"]

[[device]]
name = "m-quectel"
kind = "modem"
virtual = true
personality = "quectel"

[[device]]
name = "m-generic"
kind = "modem"
virtual = true

[[device]]
name = "card"
kind = "reader"
virtual = true
"""

ONLY_A_READER = """
[[device]]
name = "card"
kind = "reader"
virtual = true
"""


def _bench(pytester: pytest.Pytester, text: str = TWO_MODEMS_ONE_READER) -> Path:
    path = pytester.path / "lab.toml"
    path.write_text(text)
    return path


def test_the_markers_are_registered_and_listed(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    for name in ("hardware", "modem", "sim_reader", "sms", "sim_move", "operator", "destructive"):
        result.stdout.fnmatch_lines([f"@pytest.mark.{name}: *"])
    result.stdout.fnmatch_lines(["@pytest.mark.vendor(name, ...): *"])


def test_a_marked_test_is_skipped_naming_the_missing_capability_and_the_bench(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sms
        def test_otp_arrives():
            pass

        def test_on_a_modem(modem):
            pass

        @pytest.mark.hardware
        def test_real_only():
            pass
        """
    )
    bench = _bench(pytester, ONLY_A_READER)
    result = pytester.runpytest("--bench", str(bench), "-rs")
    result.assert_outcomes(skipped=3)
    result.stdout.fnmatch_lines(
        [
            f"SKIPPED * needs capability 'sms' (an SMS can be made to arrive*), which bench {bench}"
            " lacks",
            f"SKIPPED * needs capability 'modem' (a modem (AT port)), which bench {bench} lacks",
            f"SKIPPED * needs real hardware; bench {bench} has only virtual devices*",
        ],
        consecutive=False,
    )
    # The built-in virtual bench has the capability: the same file runs there.
    result = pytester.runpytest("-rs")
    result.assert_outcomes(passed=3, skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED * needs real hardware; bench <virtual bench>*"])


def test_a_bench_of_two_modems_and_a_reader_parametrizes_by_device_name(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        from harness.modem import SimState

        def test_modem_answers(modem):
            assert modem.sim_state() is SimState.SIM_PIN

        def test_card_has_an_iccid(sim_card):
            assert sim_card.read_iccid().startswith("89")

        def test_bench_fixture(bench):
            assert {"modem", "sim_reader"} <= bench.capabilities and not bench.real
        """
    )
    result = pytester.runpytest("--bench", str(_bench(pytester)), "-v")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(
        [
            "*::test_modem_answers[[]m-quectel[]] PASSED*",
            "*::test_modem_answers[[]m-generic[]] PASSED*",
            "*::test_card_has_an_iccid[[]card[]] PASSED*",
        ]
    )


def test_vendor_marker_selects_modems_and_skips_when_none_fits(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.vendor("quectel")
        def test_quectel_only(modem):
            assert modem.profile.name == "quectel"

        @pytest.mark.vendor("telit", "huawei")
        def test_telit_only(modem):
            pass
        """
    )
    bench = TWO_MODEMS_ONE_READER.replace('name = "m-generic"', 'name = "m-simcom"')
    bench = bench.replace('name = "m-simcom"\nkind = "modem"\n', 'name = "m-simcom"\nkind = '
                          '"modem"\npersonality = "simcom"\n')  # fmt: skip
    result = pytester.runpytest("--bench", str(_bench(pytester, bench)), "-v", "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*test_quectel_only[[]m-quectel[]] PASSED*",
            "SKIPPED * needs a modem of vendor huawei, telit; bench * has m-quectel (quectel), "
            "m-simcom (simcom)",
        ]
    )


def test_a_modem_of_undeclared_vendor_is_asked_and_skipped_if_it_is_another(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.vendor("simcom")
        def test_simcom_only(modem):
            pass
        """
    )
    result = pytester.runpytest("--bench", str(_bench(pytester)), "-v", "-rs")
    result.assert_outcomes(skipped=1)  # m-quectel left out at collection, m-generic asked
    result.stdout.fnmatch_lines(
        ["SKIPPED * needs a modem of vendor simcom; m-generic is generic (sim-harness*)"]
    )


def test_junit_xml_holds_device_properties_and_attachment_lines(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_unlock="""
        def test_unlock(modem):
            modem.unlock("1234")
        """
    )
    report = pytester.path / "evidence"
    xml_path = pytester.path / "junit.xml"
    result = pytester.runpytest(
        "--bench", str(_bench(pytester)), "-k", "quectel",
        "--bench-report", str(report), f"--junitxml={xml_path}",
    )  # fmt: skip
    result.assert_outcomes(passed=1)
    case = ET.parse(xml_path).getroot().find(".//testcase")  # noqa: S314 - pytest's own XML
    assert case is not None and case.get("name") == "test_unlock[m-quectel]"
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert props == {
        "device": "m-quectel",
        "vendor": "Quectel",
        "model": "EG25",
        "firmware": props["firmware"],
        "iccid": "8988211000000000018",
        "virtual": "true",
    }
    assert props["firmware"]
    out = case.find("system-out")
    assert out is not None and out.text is not None
    lines = out.text.splitlines()
    folder = report / "test_unlock.py_test_unlock[m-quectel]"
    assert lines == [
        f"[[ATTACHMENT|{folder / 'transcript.txt'}]]",
        f"[[ATTACHMENT|{folder / 'transcript.jsonl'}]]",
    ]
    transcript = (folder / "transcript.txt").read_text()
    assert "AT+CPIN=" in transcript and "1234" not in transcript  # masked at the source
    assert "-> at   AT+CPIN?" in transcript


def test_a_failed_test_shows_the_tail_of_its_transcript(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_wrong_model(modem):
            assert modem.model_name() == "NOT-THIS"
        """
    )
    result = pytester.runpytest("--bench", str(_bench(pytester)), "-k", "quectel")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*- simharness transcript (last 20 lines) -*",
            "*Z -> at   AT+CGMM*  # m-quectel",
            "*Z <- at   *EG25*",
        ]
    )


def test_a_bad_bench_file_stops_the_run_naming_file_and_field(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(): pass")
    bench = _bench(pytester, '[[device]]\nname = "m"\nkind = "phone"\n')
    result = pytester.runpytest("--bench", str(bench))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{bench}:3: device 'm'.kind: 'phone'; use \"modem\" or *"])


def test_the_stolen_phone_fixtures_on_the_virtual_bench(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from harness.modem import SimState

        def test_theft(phones, sim_slot, operator, otp_source, stage):
            sim_slot.move("victim", "thief")
            assert phones.thief.wait_sim_settled(5.0) is SimState.READY
            operator.report_lost(stage.msisdn, by="owner")
            sent = otp_source.send_otp(stage.msisdn, "OTP 1")
            assert sent.code is not None and sent.msisdn == stage.msisdn

        def test_fresh_stage(phones):
            # the previous test's SIM move and loss report did not leak into this one
            assert phones.owner.wait_sim_settled(5.0) is SimState.READY
            assert phones.thief.sim_state() is SimState.ABSENT
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)


STAGE_TESTS = """
from harness.modem import SimState

def test_theft_step(phones, sim_slot, stage):
    sim_slot.move(stage.sim, "thief")
    assert phones.thief.wait_sim_settled(5.0) is SimState.READY
"""


def test_a_bench_file_cast_gives_the_stage_and_a_bench_without_one_skips(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(STAGE_TESTS)
    cast = Path(__file__).resolve().parents[1] / "fixtures" / "benches" / "virtual.toml"
    result = pytester.runpytest("--bench", str(cast), "--bench-report", "evidence")
    result.assert_outcomes(passed=1)
    transcript = next((pytester.path / "evidence").glob("*test_theft_step*/transcript.txt"))
    assert "# owner" in transcript.read_text() and "# thief" in transcript.read_text()
    # two modems but no [scenario] table: the capability is there, the cast is not
    result = pytester.runpytest("--bench", str(_bench(pytester)), "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED * needs capability 'sim_move' *, which bench * lacks"])
    declared = _bench(pytester, 'capabilities = ["sim_move"]\n' + TWO_MODEMS_ONE_READER)
    result = pytester.runpytest("--bench", str(declared), "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        ["SKIPPED * stolen-phone stage unavailable: * has no [[]scenario[]] table naming*"]
    )


def test_the_bench_comes_from_the_environment_or_the_ini_file(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile("def test_x(bench):\n    assert not bench.real\n")
    bench = _bench(pytester, ONLY_A_READER)
    monkeypatch.setenv("SIMHARNESS_BENCH", str(bench))
    result = pytester.runpytest()
    result.stdout.fnmatch_lines([f"simharness bench: {bench} (virtual); capabilities: sim_reader"])
    monkeypatch.delenv("SIMHARNESS_BENCH")
    (pytester.path / "benches").mkdir()
    bench.rename(pytester.path / "benches" / "lab.toml")
    pytester.makeini("[pytest]\nsimharness_bench = benches/lab.toml\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["simharness bench: *benches/lab.toml (virtual); capabilities: *"])
