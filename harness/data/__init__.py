"""Package data shipped with the harness (read with importlib.resources)."""
