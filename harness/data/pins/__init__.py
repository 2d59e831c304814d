"""Common-PIN lists, one file per source; each file's header names its source and how the
list was derived. Read with `importlib.resources` (harness.pin_setup.lists)."""
