"""Line numbers for bench-file fields, found in the text (tomllib keeps none for values)."""

from __future__ import annotations

import tomllib

from harness.bench.lines import FieldLocator, TomlLines

TEXT = '''\
# a comment
sacrificial_iccids = []

[[device]]
name = "a"
note = """
port = "not a key: inside a multi-line string"
"""
port = "/dev/a"

[[device]]
name = "b"
"port" = "/dev/b"
extra.deep = 1

[device.settings]
baud = 9600

[hooks]
send_otp = { argv = ["x"], timeout_s = 5 }
move_sim = [
  "robot",
  "{sim}",
]
'''


def test_keys_and_tables_are_found_on_their_lines() -> None:
    tomllib.loads(TEXT)  # the fixture is valid TOML
    lines = TomlLines.scan(TEXT)
    assert lines.line(("sacrificial_iccids",)) == 2
    assert lines.line(("device", 0)) == 4
    assert lines.line(("device", 0, "port")) == 9  # not line 7, inside the string
    assert lines.line(("device", 1, "name")) == 12
    assert lines.line(("device", 1, "port")) == 13  # a quoted key
    assert lines.line(("device", 1, "extra", "deep")) == 14  # a dotted key
    assert lines.line(("device", 1, "settings", "baud")) == 17  # a sub-table of the 2nd entry
    assert lines.line(("hooks", "move_sim")) == 21


def test_a_field_not_written_falls_back_to_its_table() -> None:
    lines = TomlLines.scan(TEXT)
    assert lines.line(("device", 1, "kind")) == 11  # missing: the [[device]] header
    assert lines.line(("hooks", "send_otp", "timeout_s")) == 20  # inside an inline table
    assert lines.line(("scenario", "owner")) is None


def test_errors_read_file_line_field_message() -> None:
    where = FieldLocator.of_text("lab.toml", TEXT)
    error = where.error(("device", 0, "port"), "device 'a'.port", "no such port")
    assert str(error) == "lab.toml:9: device 'a'.port: no such port"
    assert str(FieldLocator("inline").error(("x",), "x", "bad")) == "inline: x: bad"
