"""The names of the variables that hold the token and the app's credentials, defined once."""

from __future__ import annotations

TOKEN_KEY = "WHATSAPP_CLOUD_API_TOKEN"
"""The name every store (environment, .env, keyring account) and the user's backend use for the token."""
APP_ID_VAR = "WHATSAPP_APP_ID"
APP_SECRET_VAR = "WHATSAPP_APP_SECRET"
