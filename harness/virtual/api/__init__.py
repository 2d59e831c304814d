"""The virtual bench as a service: a local HTTP API on 127.0.0.1 (FastAPI + uvicorn).

Modules: app (the FastAPI application and its OpenAPI document), control (bench
control: subscribers, modems, SMS, operator actions, card moves, events),
camara/ (the operator APIs a bank calls: SIM Swap v2, subscription status,
one-time-password SMS), server (uvicorn on a thread, free port), state_file
(where a running bench leaves its address for the CLI).

FastAPI because it validates request bodies from type hints and generates the
OpenAPI document the issue asks for; uvicorn because it is the ASGI server
FastAPI is made with and runs on a thread we can stop.
"""
