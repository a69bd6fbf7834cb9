"""The fake Graph's command line: `python -m wizard.testing.fake_graph`."""

from __future__ import annotations

import argparse
import time

from wizard.testing.fake_graph.data import APP_ID, APP_SECRET
from wizard.testing.fake_graph.scenarios import TOKENS
from wizard.testing.fake_graph.server import FakeGraphServer

DESCRIPTION = (
    "A loopback fake of Meta's Graph API that answers every wa-token scenario the way Meta does."
)


def usage_text(url: str) -> str:
    """What `python -m wizard.testing.fake_graph` prints: the URL, the tokens, how to use them."""
    width = max(map(len, TOKENS))
    rows = "\n".join(f"  {name:<{width}}  {token}" for name, token in TOKENS.items())
    return (
        f"Fake Graph API listening on {url}\n\n"
        f"  {'scenario':<{width}}  token\n{rows}\n\n"
        "Use it:\n"
        f"  export WHATSAPP_GRAPH_URL={url}\n"
        f"  printf '%s' {TOKENS['valid']} | wa-token check\n\n"
        "To explain dead tokens (expired, revoked, malformed), add the fake app credentials:\n"
        f"  export WHATSAPP_APP_ID={APP_ID} WHATSAPP_APP_SECRET={APP_SECRET}\n\n"
        f"{admin_text()}\n\n"
        "Press Ctrl-C to stop."
    )


def admin_text() -> str:
    """The business admin tokens for `wa-token provision` ("Do it for me"), one per scenario."""
    from wizard.testing.fake_admins import ADMIN_TOKENS  # it imports this package

    width = max(map(len, ADMIN_TOKENS))
    rows = "\n".join(f"  {name:<{width}}  {token}" for name, token in ADMIN_TOKENS.items())
    return (
        'Business admin tokens, for `wa-token provision` and the wizard\'s "Do it for me" (d):\n'
        f"  {'admin scenario':<{width}}  token\n{rows}\n\n"
        "Use one (the app id and secret above are needed; the secret is never an argument):\n"
        f"  export WHATSAPP_APP_ID={APP_ID} WHATSAPP_APP_SECRET={APP_SECRET}\n"
        f"  printf '%s' {ADMIN_TOKENS['admin']} | wa-token provision --plan"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m wizard.testing.fake_graph", description=DESCRIPTION
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds to delay every answer")
    parser.add_argument(
        "--slow-delay", type=float, default=12.0, help="seconds the 'slow' token waits"
    )
    parser.add_argument(
        "--accounts",
        type=int,
        default=None,
        help="WABAs (3 numbers each) the 'valid' token reaches",
    )
    args = parser.parse_args()
    from wizard.testing import fake_business  # the business is a responder the server is given

    server = FakeGraphServer(
        business=fake_business.answer,
        host=args.host,
        port=args.port,
        latency=args.latency,
        slow_delay=args.slow_delay,
        accounts=args.accounts,
    ).start()
    try:
        print(usage_text(server.url), flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
