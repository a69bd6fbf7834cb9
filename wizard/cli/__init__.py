"""The `wa-token` command line: the entry point, the parser, the commands and their text."""
