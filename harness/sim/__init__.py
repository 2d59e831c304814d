"""SIM/UICC codecs and the driver side (SimCard over any ApduLink).

Codec modules are named after what they encode and carry their test vectors
(`VECTORS`) beside the definitions; tests/test_codec_vectors.py walks them all.
"""
