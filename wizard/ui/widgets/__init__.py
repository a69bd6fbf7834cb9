"""Reusable widgets of the wizard: links, the check summary, the diagnosis panel."""
