"""The pure core of wa-token: tokens, the Graph client, diagnosis and stores, with no UI imports."""
