"""pytest entry point of sim-harness: the plugin itself is harness.pytest_plugin.

pytest rewrites the asserts of every package in a plugin's distribution, so by
default the whole `harness` library would be rewritten on import — seconds of
work per process where bytecode is not cached, for asserts that are internal
invariants, not test checks. This shim drops `harness` from the rewrite list
before importing the plugin. It uses pytest's AssertionRewritingHook._must_rewrite,
which is not public API: if it ever changes, the guard below makes this a no-op
and only speed is lost. A lab's own test files are rewritten as always.
"""

import sys

for _finder in sys.meta_path:
    _marked = getattr(_finder, "_must_rewrite", None)
    if isinstance(_marked, set):
        _marked.discard("harness")

from harness.pytest_plugin.plugin import *  # noqa: E402, F403 - hooks and fixtures
from harness.pytest_plugin.plugin import __all__  # noqa: E402, F401 - what * exports
