"""One module per group of commands; each adds its parsers and maps names to functions."""
