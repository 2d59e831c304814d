"""The operator APIs of GSMA Open Gateway / CAMARA, served from the virtual network.

sim-swap 2.1.0 (`/sim-swap/v2`), subscription-status 0.1.0
(`/subscription-status/v0.1`) and one-time-password-sms 1.1.1
(`/one-time-password-sms/v1`), following the CAMARA API definitions and
Commonalities 0.6 error bodies. Modules: errors (the error body, x-correlator,
the bearer-token gate), services (what the operator answers, no HTTP),
sim_swap, subscription_status, otp_sms (the routes).
"""
