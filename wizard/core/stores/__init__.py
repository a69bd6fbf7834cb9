"""Where tokens are kept and found: the .env file, the OS keyring, their precedence, one atomic write."""
