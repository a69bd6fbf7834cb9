"""Each command's --help: a description, two or three examples, the global options once."""

from __future__ import annotations

GLOBAL_OPTIONS_NOTE = (
    "global options (--graph-url, --graph-version, --env-file, --timeout, "
    "--profile) work here too: see `wa-token --help`."
)

TOP_EPILOG = """\
examples:
  wa-token                                        the wizard (in a terminal)
  printf '%s' "$TOKEN" | wa-token save            check a token, then store it in ./.env
  wa-token check                                  is the stored token still good? (exit code says)
  wa-token status                                 which stored token is used, in a few lines

exit codes: 0 ok, 1 a problem with the token, 2 usage error or a question answered No,
3 no token found, 4 Graph unreachable (try again), 5 storage failed, 130 interrupted.
A token is never accepted as an argument: pipe it on standard input."""

HELP: dict[str, tuple[str, str, str]] = {
    # name: (one-line help in the command list, description, examples)
    "setup": (
        "the interactive wizard",
        (
            "The interactive wizard (the same as plain `wa-token`). It needs a terminal.\n\n"
            "--mode picks the journey; without it the wizard chooses by itself:\n"
            "  onboard       no token yet: create a permanent System User token step by step\n"
            "  expired       a stored token fails or is temporary: replace it where it is stored\n"
            "  troubleshoot  every source, the full diagnosis and the fix for each finding"
        ),
        (
            "  wa-token setup\n"
            "  wa-token setup --mode onboard\n"
            "  wa-token setup --mode troubleshoot --env-file config/app.env"
        ),
    ),
    "check": (
        "test the token against Graph",
        (
            "Test one token against the Graph API and explain what is wrong with the fix.\n"
            "The token comes from standard input when it is a pipe (or `-` is given), else from\n"
            "the environment, the .env file, then the OS keyring. It also reads, in the same\n"
            "lookup, Meta's health verdict of every account and number, whether each number is\n"
            "registered, which apps get each account's webhooks and the callback URL Meta calls."
        ),
        (
            "  wa-token check\n"
            "  printf '%s' \"$TOKEN\" | wa-token check --json\n"
            "  wa-token check --warn-days 14 || echo 'token needs attention'\n"
            "  wa-token check --all-profiles --json   # every profile, side by side"
        ),
    ),
    "status": (
        "which stored token is used, in a few lines",
        (
            "Which stored token wins, its mask, type, expiry and whether it works, in a few\n"
            "lines. --verbose adds every source and the full check; --json gives all of it."
        ),
        (
            "  wa-token status\n  wa-token status --verbose\n  wa-token status --json\n"
            "  wa-token status --all-profiles"
        ),
    ),
    "save": (
        "read a token from stdin, check it, store it",
        (
            "Read a token from standard input (or a hidden prompt in a terminal), check it,\n"
            "and store it only if it works."
        ),
        (
            "  printf '%s' \"$TOKEN\" | wa-token save\n"
            "  printf '%s' \"$TOKEN\" | wa-token save --to keyring\n"
            "  wa-token save            # in a terminal: paste at a hidden prompt"
        ),
    ),
    "token": (
        "print the winning token, raw",
        "Print the token that wins (environment, .env, keyring), raw, on standard output.",
        ('  export WHATSAPP_CLOUD_API_TOKEN="$(wa-token token)"\n  wa-token --profile acme token'),
    ),
    "forget": (
        "remove the stored token",
        (
            "Remove the stored token from the .env file and/or the OS keyring. In a terminal it\n"
            "asks first (default No); --yes skips the question. This does not revoke the token\n"
            "at Meta."
        ),
        ("  wa-token forget\n  wa-token forget --from keyring --yes"),
    ),
    "send-test": (
        "send the hello_world template to one number, to prove the token can send",
        (
            "Send the hello_world template once and print the message id. It asks y/N first;\n"
            "without a terminal --yes is required. Answering No exits 2."
        ),
        (
            "  wa-token send-test --to +15551234567\n"
            "  wa-token send-test --to +15551234567 --phone-number-id 106540352242922 --yes"
        ),
    ),
    "extend": (
        "exchange the temporary token for a ~60-day one (still not permanent)",
        (
            "Exchange the stored temporary token for a ~60-day one, check it, and store it where\n"
            "the old one was. Needs the app id and WHATSAPP_APP_SECRET (or a hidden prompt)."
        ),
        ("  wa-token extend\n  wa-token extend --app-id 1234567890"),
    ),
    "refresh": (
        "for cron: exchange the token for a new ~60-day one when it expires soon",
        (
            "For cron: renew the stored ~60-day token when it expires within DAYS days; else\n"
            "print one line and exit 0."
        ),
        ("  wa-token refresh\n  wa-token refresh --if-expiring-within 20 --env-file /srv/app/.env"),
    ),
    "schedule": (
        "print a crontab line and a systemd timer that run `wa-token refresh` daily",
        (
            "Print a crontab line and a systemd user service + timer that run `wa-token refresh`\n"
            "daily, with this wa-token, .env file and profile filled in. Nothing is installed."
        ),
        (
            "  wa-token schedule --print\n"
            "  wa-token schedule --print --env-file /srv/app/.env --if-expiring-within 20"
        ),
    ),
    "provision": (
        "create the System User and its token from a business admin's token on stdin",
        (
            "Read a business admin's token (with business_management) from standard input or a\n"
            "hidden prompt, show the plan, and after a yes create or reuse the System User,\n"
            "install the app, assign the WhatsApp account(s), generate the token, check it and\n"
            "store it. The admin token is never stored."
        ),
        (
            "  wa-token provision --plan\n"
            "  printf '%s' \"$ADMIN_TOKEN\" | wa-token provision --business-id 123 --yes\n"
            "  wa-token provision --expires 60d --to keyring"
        ),
    ),
    "fix": (
        "act on a security warning of `wa-token check`",
        "Act on a security warning of `wa-token check`.",
        ("  wa-token fix gitignore\n  wa-token fix permissions\n  wa-token fix tracked"),
    ),
}

HELP["push"] = (
    "send the stored token to remembered destinations (GitHub secrets, --then commands)",
    (
        "Send the stored token (checked first) to every destination remembered for this\n"
        "profile, or remember and forget destinations. A destination is a GitHub Actions\n"
        "secret (github:OWNER/REPO, github:OWNER/REPO/ENVIRONMENT) named like the variable,\n"
        "or a command (--then CMD) run by /bin/sh with the token on its standard input only.\n"
        "They are kept in your config directory ($XDG_CONFIG_HOME/wa-token), never in the\n"
        "project; GitHub credentials are read at push time (GITHUB_TOKEN, GH_TOKEN, gh)."
    ),
    (
        "  wa-token push add github:acme/shop\n"
        "  wa-token push add --then 'vault kv put secret/wa token=-'\n"
        "  wa-token push list\n"
        "  wa-token push                      send the stored token everywhere now\n"
        "  wa-token push remove github:acme/shop"
    ),
)
