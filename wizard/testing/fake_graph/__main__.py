"""Runs the fake Graph server: `python -m wizard.testing.fake_graph`."""

from wizard.testing.fake_graph.cli import main

if __name__ == "__main__":
    main()
