"""The pytest plugin for lab CI: the same test files on the virtual bench and on real hardware.

Loaded by pytest through the `pytest11` entry point `simharness` (installing the
package is enough). One module per job: options (command line and ini),
session (the running bench, its health and quarantine), markers (capabilities,
skipping, device parametrization), fixtures, guard (PIN state left as found),
evidence (transcripts, JUnit properties, attachments) and retries (set-up
errors caused by the bench). `plugin` puts the hooks and fixtures together.
"""
