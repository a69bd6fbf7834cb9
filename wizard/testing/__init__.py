"""Test and demo helpers that ship with wa-token (the fake Graph server)."""
