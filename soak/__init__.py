"""The opt-in soak (`make soak`, `python -m soak`): PIN unlock and SMS loops through
every fault knob of the virtual modem, counting what a lab must never see."""
