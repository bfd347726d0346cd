"""A local server that speaks the GENESIS REST 2020 protocol, for the demo and the tests.

It serves flat files and metadata from a directory of response files, behaves like the real
service where clients notice (POST only, header credentials, status envelopes, zipped flat files,
year selection, `stand`), and can be told to fail.
"""
