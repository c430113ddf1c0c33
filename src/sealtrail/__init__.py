"""Sealtrail: a self-hosted security, compliance and audit platform."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sealtrail")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"
