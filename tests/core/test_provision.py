"""The provision use case's pure parts: refusal table, ids, proof, names; the calls it sends."""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import parse_qs

import httpx
import pytest

from wizard.core import provision as pv
from wizard.core.business_api import BusinessApi, NamedNode, appsecret_proof, graph_id
from wizard.core.errors import GraphApiError, GraphBadResponse, GraphUnreachable
from wizard.core.flow import Step
from wizard.core.graph import GraphClient
from wizard.core.token import SecretToken

ADMIN = SecretToken("EAAGadminTokenForTests0000000000000000000001")
SECRET = SecretToken("app0secret0for0tests")
K = pv.StepKind
P = pv.ProvisionProblem


def api_error(code: int, subcode: int | None = None, status: int = 400) -> GraphApiError:
    return GraphApiError("(#x) refused", code=code, subcode=subcode, status=status)


@pytest.mark.parametrize(
    ("error", "kind", "owned", "problem"),
    [
        (api_error(415, 2859009), K.CREATE_SYSTEM_USER, True, P.TWO_FACTOR_REQUIRED),
        (api_error(415, 2859009), K.GENERATE_TOKEN, True, P.TWO_FACTOR_REQUIRED),
        (api_error(190, 463), K.INSTALL_APP, True, P.ADMIN_TOKEN_EXPIRED),
        (api_error(190, 460), None, True, P.ADMIN_TOKEN_INVALID),
        (api_error(190), None, True, P.ADMIN_TOKEN_INVALID),
        (api_error(200, status=403), K.CREATE_SYSTEM_USER, True, P.NOT_BUSINESS_ADMIN),
        (api_error(10, status=403), K.ASSIGN_ACCOUNT, True, P.NOT_BUSINESS_ADMIN),
        (api_error(100), K.CREATE_SYSTEM_USER, True, P.SYSTEM_USER_LIMIT),
        (api_error(100, 33), K.CREATE_SYSTEM_USER, True, P.REFUSED),
        (api_error(3), K.INSTALL_APP, True, P.APP_NOT_INSTALLABLE),
        (api_error(100), K.INSTALL_APP, False, P.BUSINESS_NOT_APP_OWNER),
        (api_error(100), K.GENERATE_TOKEN, False, P.BUSINESS_NOT_APP_OWNER),
        (api_error(100), K.GENERATE_TOKEN, True, P.REFUSED),
        (api_error(4), K.ASSIGN_ACCOUNT, True, P.GRAPH_UNAVAILABLE),
        (api_error(1, status=500), K.ASSIGN_ACCOUNT, True, P.GRAPH_UNAVAILABLE),
        (GraphUnreachable("down"), None, True, P.GRAPH_UNAVAILABLE),
        (GraphBadResponse("html", status=502), K.INSTALL_APP, True, P.GRAPH_UNAVAILABLE),
    ],
)
def test_classify(
    error: Exception, kind: pv.StepKind | None, owned: bool, problem: pv.ProvisionProblem
) -> None:
    assert pv.classify(error, kind, app_owned=owned) is problem  # type: ignore[arg-type]


def test_no_business_management_when_reading_the_business() -> None:
    err = api_error(200, status=403)
    assert pv.classify(err, None, reading_business=True) is P.NO_BUSINESS_MANAGEMENT


@pytest.mark.parametrize(
    ("kind", "step"),
    [
        (K.CREATE_SYSTEM_USER, Step.CREATE),
        (K.INSTALL_APP, Step.ASSIGN),
        (K.ASSIGN_ACCOUNT, Step.ASSIGN),
        (K.GENERATE_TOKEN, Step.GENERATE),
    ],
)
def test_a_refused_step_opens_its_own_manual_step(kind: pv.StepKind, step: Step) -> None:
    refusal = pv.refusal_for(api_error(415, 2859009), "POST /1/x", kind)
    assert refusal.manual_step is step
    assert refusal.manual_text  # the wizard's instructions for that step
    assert refusal.exit_code == 1


def test_every_problem_has_words_and_exit_code() -> None:
    for problem in P:
        text = pv.PROBLEM_TEXTS[problem]
        assert text.title and text.fix
    assert pv.Refusal(P.GRAPH_UNAVAILABLE, "x", "y", None).exit_code == 4
    assert pv.Refusal(P.STORE_FAILED, "x", "y", None).exit_code == 5


def test_graph_reason_strips_control_characters() -> None:
    err = GraphApiError("bad\x1b[31m red\x07", code=100, fbtrace_id="A\x1bB")
    reason = pv.graph_reason(err)
    assert "\x1b" not in reason and "\x07" not in reason and "code 100" in reason


def test_describe_cleans_hostile_names() -> None:
    node = NamedNode("102290129340398", "Evil\x1b]8;;http://x\x07Co\n")
    assert pv.describe(node, quoted=True, short=True) == "'Evil]8;;http://xCo' (1022…)"


@pytest.mark.parametrize("bad", ["", "12a", "1/../me", "1?x=1", " 1", "1" * 33, "١٢"])
def test_graph_id_refuses_anything_but_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        graph_id(bad, "id")


def test_appsecret_proof_is_hmac_sha256_hex() -> None:
    expected = hmac.new(
        b"app0secret0for0tests", ADMIN.reveal().encode(), hashlib.sha256
    ).hexdigest()
    assert appsecret_proof(SECRET, ADMIN) == expected


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "bad\nname", "tab\there"])
def test_request_refuses_bad_names(name: str) -> None:
    with pytest.raises(ValueError):
        pv.check_request(pv.Request(app_id="634974688087057", system_user=name))


def test_request_refuses_a_non_numeric_app_id() -> None:
    with pytest.raises(ValueError):
        pv.check_request(pv.Request(app_id="63497/../me"))


# -- what the calls send ----------------------------------------------------------------------------


class Recorder:
    """An httpx MockTransport that answers from a table and keeps every request."""

    def __init__(self, answers: dict[str, tuple[int, dict]]) -> None:
        self.answers = answers
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status, body = self.answers[request.url.path.split("/", 2)[2]]
        return httpx.Response(status, json=body)


def run_api(recorder: Recorder, call):  # type: ignore[no-untyped-def]
    with GraphClient(
        "https://graph.example", transport=httpx.MockTransport(recorder), retry_backoff=0
    ) as client:
        return call(BusinessApi(client))


def generate(rec: Recorder, scopes: tuple[str, ...], *, sixty_days: bool) -> None:
    """System User 61570785020842's token for app 634974688087057, asked of `rec`."""
    run_api(
        rec,
        lambda api: api.generate_token(
            ADMIN,
            "61570785020842",
            app_id="634974688087057",
            app_secret=SECRET,
            scopes=scopes,
            expires_in_60_days=sixty_days,
        ),
    )


def test_assign_sends_user_and_manage_in_a_form_body() -> None:
    rec = Recorder({"102290129340398/assigned_users": (200, {"success": True})})
    run_api(rec, lambda api: api.assign_user(ADMIN, "102290129340398", "61570785020842"))
    sent = rec.requests[0]
    assert sent.method == "POST" and not sent.url.query
    form = parse_qs(sent.content.decode())
    assert form == {"user": ["61570785020842"], "tasks": [json.dumps(["MANAGE"])]}
    assert sent.headers["authorization"] == f"Bearer {ADMIN.reveal()}"


def test_generate_sends_the_proof_never_the_secret_and_is_not_retried() -> None:
    rec = Recorder(
        {
            "61570785020842/access_tokens": (
                500,
                {
                    "error": {
                        "message": "An unknown error has occurred.",
                        "code": 1,
                        "is_transient": True,
                    }
                },
            )
        }
    )
    with pytest.raises(GraphApiError):
        generate(
            rec, ("whatsapp_business_management", "whatsapp_business_messaging"), sixty_days=True
        )
    assert len(rec.requests) == 1  # a retry could mint a second token
    body = rec.requests[0].content.decode()
    assert SECRET.reveal() not in body and SECRET.reveal() not in str(rec.requests[0].url)
    form = parse_qs(body)
    assert form["appsecret_proof"] == [appsecret_proof(SECRET, ADMIN)]
    assert form["set_token_expires_in_60_days"] == ["true"]
    assert form["scope"] == ["whatsapp_business_management,whatsapp_business_messaging"]


def test_a_generate_answer_without_a_token_is_a_bad_response() -> None:
    rec = Recorder({"61570785020842/access_tokens": (200, {"access_token": "not a token"})})
    with pytest.raises(GraphBadResponse):
        generate(rec, ("whatsapp_business_management",), sixty_days=False)


def test_system_users_drop_rows_with_hostile_ids() -> None:
    rec = Recorder(
        {
            "506914307656634/system_users": (
                200,
                {
                    "data": [
                        {"id": "61570785020842", "name": "wa-token", "role": "EMPLOYEE"},
                        {"id": "../me", "name": "evil"},
                        {"name": "no id"},
                        {"id": True},
                    ]
                },
            )
        }
    )
    users = run_api(rec, lambda api: api.system_users(ADMIN, "506914307656634"))
    assert [u.id for u in users] == ["61570785020842"]


def test_install_needs_metas_confirmation() -> None:
    rec = Recorder({"61570785020842/applications": (200, {"success": False})})
    with pytest.raises(GraphBadResponse):
        run_api(rec, lambda api: api.install_app(ADMIN, "61570785020842", "634974688087057"))
