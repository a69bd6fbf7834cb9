"""Scripted walks through the wizard: the snapshot tests and the README's screenshots use them."""
