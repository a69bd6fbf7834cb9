"""`python -m wizard` runs the same command line as `wa-token`."""

from wizard.cli import main

raise SystemExit(main())
