"""The bench: a bench file (TOML) turned into driver objects, virtual or real.

Modules: config (the bench file and its checks), lines (the line of a field,
for error messages), devices (open a device with its driver; simulators built
on demand), locks (one run per device across processes), virtual_stage (the
stolen-phone stage on the virtual bench: simulators doing what a hand, an
operator and a bank do), scenario_config / hooks / hands / scenario_stage (the
same stage from a bench file: its [scenario] and [hooks] tables, the commands
run for each step, a person at a terminal otherwise), stolen_phone (the
virtual phones of the attack demo), labgrid (modems shared through labgrid
places: acquire, resolve to rfc2217://, release; over labgrid_session, the
coordinator session with every call bounded), labgrid_lease (holding places for
a `with` block or for a whole run).

Importing this package loads no simulator: those are built only when a
virtual device is opened, or from the virtual_stage / stolen_phone modules.
"""

from harness.bench.config import (
    BenchConfig,
    DeviceConfig,
    bench_from_dict,
    load_bench,
    reader_selector,
    virtual_bench_config,
)
from harness.bench.devices import OpenedDevice, open_device
from harness.bench.labgrid import LabgridOptions
from harness.bench.labgrid.lease import HeldPlaces, PlaceLease

__all__ = [
    "BenchConfig",
    "DeviceConfig",
    "HeldPlaces",
    "LabgridOptions",
    "OpenedDevice",
    "PlaceLease",
    "bench_from_dict",
    "load_bench",
    "open_device",
    "reader_selector",
    "virtual_bench_config",
]
