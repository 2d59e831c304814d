"""PIN campaigns against a SIM within a safety budget (the thief's side, measured).

Modules: campaign (`run_campaign`, `plan_campaign`), strategies (guess orders,
the weak-PIN audit), budget (what a run may spend, the floor), target (a modem
or a reader as something to guess against, and the reset tricks), ledger (the
attempt ledger per ICCID, kept across runs), report (results and their table),
bench_target (a bench device as a target), demo (the short attack in `make demo`).

Built on the drivers only: nothing here imports the simulators.
"""
