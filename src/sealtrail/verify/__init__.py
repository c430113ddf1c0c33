"""Offline verification of Sealtrail ledgers: usable as a library, imports no server code.

Everything under `sealtrail.verify` depends only on the standard library and
`cryptography`, so an auditor can vendor it, read it, and run it without a server.
"""
