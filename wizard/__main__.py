"""`python -m wizard` runs the same command line as `wa-token`."""

from wizard.cli.main import main

raise SystemExit(main())
