"""AT scripts: a small line language, checked without a device, run with pexpect.

Modules: language (the steps, `parse_script`, `load_script`), spawn (pexpect over
the harness transport), gate (the counter check before a line that presents a
secret), runner (`run_script`). The shipped scripts are in `at_scripts/`.
"""
