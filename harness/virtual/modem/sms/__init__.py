"""The virtual modem's SMS side (TS 27.005): service (send, deliver, +CNMI routing), store
(the SM and ME memories), format (text and PDU mode answers), ack (+CNMA for routed messages).
"""
