"""The Textual wizard: one screen per step, driven by the pure core."""
