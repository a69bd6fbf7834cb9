"""Helpers the tests share: files and git, the frozen clock, finding codes, Pilot walks."""
