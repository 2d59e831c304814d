"""Fuzz targets: every decoder of device replies and every loader of user files.

Each target takes arbitrary bytes and must either return or raise a typed
error (harness.errors.HarnessError); anything else is a failure. The same
targets run twice: a fast hypothesis slice in the suite (tests/test_fuzz_targets.py)
and a long opt-in run (`make fuzz`, `python -m fuzz`) that prints per target the
cases run, the typed errors and every distinct failure.
"""
