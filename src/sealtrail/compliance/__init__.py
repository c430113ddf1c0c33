"""Compliance: cloud inventory, a declarative control library mapped to frameworks,
scans, findings, exceptions and scores."""
