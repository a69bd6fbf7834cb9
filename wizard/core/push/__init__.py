"""Send the stored token where the app reads it: GitHub Actions secrets, hooks, the local stores."""
