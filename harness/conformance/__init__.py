"""The conformance suite shipped with sim-harness: run it on any bench with pytest.

    pytest --pyargs harness.conformance                      # the virtual bench
    pytest --pyargs harness.conformance --bench lab.toml     # a lab's modems and readers
    pytest --pyargs harness.conformance --bench-report out/  # + transcripts, coverage table

Every test carries a stable id and the clause it checks
(`@pytest.mark.conformance("PIN-001", "TS 31.121 §6.1.1")`), shown as the JUnit
properties `test_id` and `spec_clause` and in `conformance.md` under
--bench-report. The tests use only the plugin's fixtures and the drivers, so
they run unchanged on real hardware; none of them needs the last PIN try or any
PUK try unless it is marked `destructive` (--allow-destructive, sacrificial SIM).
"""
