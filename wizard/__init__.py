"""wa-token: get a permanent WhatsApp Cloud API token, prove it works, and store it safely."""

__version__ = "0.1.0"
