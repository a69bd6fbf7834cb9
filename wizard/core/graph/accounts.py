"""GraphClient's business-account and phone-number reads, batched fifty ids a request."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from wizard.core.errors import GraphApiError, GraphError
from wizard.core.graph.constants import (
    ACCOUNT_FIELDS,
    ACCOUNT_WITH_NUMBERS_FIELDS,
    IDS_PER_REQUEST,
    PHONE_FIELDS,
    WHATSAPP_SCOPES,
)
from wizard.core.graph.models import (
    AccountDiscovery,
    Business,
    BusinessAccount,
    PhoneNumber,
    TokenInfo,
)
from wizard.core.graph.parsing import (
    _one_id_may_be_to_blame,
    _opt_str,
    _outcome,
    _unexpected,
    _unique,
    gather_all,
    parse_phone_number,
)
from wizard.core.graph.transport import GraphTransport
from wizard.core.token import SecretToken
from wizard.core.untrusted import (
    require_graph_id,
)


class AccountReads(GraphTransport):
    """GraphClient's reads of WhatsApp Business Accounts and their phone numbers."""

    async def businesses(self, token: SecretToken) -> tuple[Business, ...]:
        """Business portfolios the token sees (needs business_management)."""
        rows = await self._collect("me/businesses", token, {"fields": "id,name"})
        return tuple(Business(str(r["id"]), _opt_str(r.get("name"))) for r in rows if "id" in r)

    async def business_account_ids_of(
        self, token: SecretToken, business_id: str
    ) -> tuple[str, ...]:
        """WABA ids a business owns or has been given by clients, fetched concurrently."""
        edges = ("owned_whatsapp_business_accounts", "client_whatsapp_business_accounts")
        business_id = require_graph_id(business_id, "business id")
        pages = await gather_all(
            self._collect(f"{business_id}/{edge}", token, {"fields": "id,name"}) for edge in edges
        )
        return _unique(str(row["id"]) for rows in pages for row in rows if "id" in row)

    async def discover_account_ids(self, token: SecretToken, info: TokenInfo) -> tuple[str, ...]:
        """The WABAs a token reaches: granular_scopes target_ids, else through its businesses.

        Follows graph-api.md §3: target_ids are authoritative when present (even when empty).
        When the WhatsApp grants are not limited to assets, ask the businesses; a token without
        business_management gets code 200/100 there, which means "nothing found", not "broken".
        """
        return (await self.discover_accounts(token, info)).ids

    async def discover_accounts(self, token: SecretToken, info: TokenInfo) -> AccountDiscovery:
        """As discover_account_ids, keeping Graph's refusal to list the businesses (100/200)."""
        targeted = [
            g.target_ids
            for g in info.granular_scopes
            if g.scope in WHATSAPP_SCOPES and g.target_ids is not None
        ]
        if targeted:
            return AccountDiscovery(
                _unique(
                    require_graph_id(i, "granular_scopes target_ids entry")
                    for ids in targeted
                    for i in ids
                )
            )
        try:
            businesses = await self.businesses(token)
            found = await gather_all(self.business_account_ids_of(token, b.id) for b in businesses)
        except GraphApiError as err:
            if err.code in (100, 200) or 200 <= err.code < 300:
                return AccountDiscovery((), listing_refused=err)
            raise
        return AccountDiscovery(_unique(i for ids in found for i in ids))

    async def business_account(self, token: SecretToken, account_id: str) -> BusinessAccount:
        """One WABA's details, without its phone numbers."""
        account_id = require_graph_id(account_id, "WhatsApp Business Account id")
        body = await self._call("GET", account_id, token, params={"fields": ACCOUNT_FIELDS})
        return BusinessAccount(
            id=str(body.get("id", account_id)),
            name=_opt_str(body.get("name")),
            currency=_opt_str(body.get("currency")),
            timezone_id=_opt_str(body.get("timezone_id")),
            account_review_status=_opt_str(body.get("account_review_status")),
        )

    async def phone_numbers(self, token: SecretToken, account_id: str) -> tuple[PhoneNumber, ...]:
        """Every phone number of a WABA, following paging."""
        account_id = require_graph_id(account_id, "WhatsApp Business Account id")
        rows = await self._collect(f"{account_id}/phone_numbers", token, {"fields": PHONE_FIELDS})
        return tuple(parse_phone_number(r) for r in rows if "id" in r)

    async def account_with_numbers(self, token: SecretToken, account_id: str) -> BusinessAccount:
        """A WABA's details and its phone numbers, asked for at the same time."""
        account, numbers = await asyncio.gather(
            self.business_account(token, account_id), self.phone_numbers(token, account_id)
        )
        return BusinessAccount(**{**account.__dict__, "phone_numbers": numbers})

    async def accounts_with_numbers(
        self, token: SecretToken, account_ids: Iterable[str]
    ) -> list[BusinessAccount | GraphError]:
        """WABAs with their numbers, in the order asked: one multiple-id lookup with field
        expansion per 50 ids, all at once; an id that is not digits fails alone, unsent."""
        asked = list(account_ids)
        outcomes: dict[str, BusinessAccount | GraphError] = {}
        valid: list[str] = []
        for account_id in _unique(asked):
            try:
                valid.append(require_graph_id(account_id, "WhatsApp Business Account id"))
            except GraphError as err:
                outcomes[account_id] = err
        chunks = [valid[i : i + IDS_PER_REQUEST] for i in range(0, len(valid), IDS_PER_REQUEST)]
        for found in await asyncio.gather(*(self._account_chunk(token, c) for c in chunks)):
            outcomes.update(found)
        return [outcomes[account_id] for account_id in asked]

    async def account_expanded(self, token: SecretToken, account_id: str) -> BusinessAccount:
        """One WABA with its numbers in one read (`GET /{id}?fields=…,phone_numbers{…}`)."""
        account_id = require_graph_id(account_id, "WhatsApp Business Account id")
        body = await self._call(
            "GET", account_id, token, params={"fields": ACCOUNT_WITH_NUMBERS_FIELDS}
        )
        return await self._account_from(token, account_id, body)

    async def _account_chunk(
        self, token: SecretToken, ids: list[str]
    ) -> dict[str, BusinessAccount | GraphError]:
        """Up to 50 validated ids in one `?ids=` request. Graph fails the whole request when
        one id cannot be read; then, and only for errors one id can cause, each id is read
        alone, so every account gets its own answer or error, as before."""
        if len(ids) == 1:
            return {ids[0]: await _outcome(self.account_expanded(token, ids[0]))}
        try:
            body = await self._call(
                "GET",
                "",
                token,
                params={"ids": ",".join(ids), "fields": ACCOUNT_WITH_NUMBERS_FIELDS},
            )
        except GraphApiError as err:
            if not _one_id_may_be_to_blame(err):
                return dict.fromkeys(ids, err)
            alone = await asyncio.gather(*(_outcome(self.account_expanded(token, i)) for i in ids))
            return dict(zip(ids, alone, strict=True))
        except GraphError as err:
            return dict.fromkeys(ids, err)
        parsed = await asyncio.gather(
            *(_outcome(self._account_from(token, i, body.get(i))) for i in ids)
        )
        return dict(zip(ids, parsed, strict=True))

    async def _account_from(
        self, token: SecretToken, account_id: str, body: object
    ) -> BusinessAccount:
        """An account object of an expanded read; its phone_numbers edge is followed past the
        first page (on the Graph host only). Graph leaves an empty edge out."""
        if not isinstance(body, dict):
            raise _unexpected("ids", 200)
        edge = body.get("phone_numbers")
        rows = [] if edge is None else await self._edge_rows(edge, token, "phone_numbers")
        return BusinessAccount(
            id=_opt_str(body.get("id")) or account_id,  # as Graph names it (shown, never sent)
            name=_opt_str(body.get("name")),
            currency=_opt_str(body.get("currency")),
            timezone_id=_opt_str(body.get("timezone_id")),
            account_review_status=_opt_str(body.get("account_review_status")),
            phone_numbers=tuple(parse_phone_number(r) for r in rows if "id" in r),
        )
