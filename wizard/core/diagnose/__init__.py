"""Turn what Graph and the local machine said about a token into problems and warnings with fixes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wizard.core.lazy import lazy_names

if TYPE_CHECKING:
    from wizard.core.diagnose.accounts import CANNOT_SEND_STATUSES, can_send
    from wizard.core.diagnose.exchange import EXCHANGE_ERROR_PROBLEMS, exchange_problem
    from wizard.core.diagnose.findings import Diagnosis, Finding, GraphFindings, LocalFacts
    from wizard.core.diagnose.graph_errors import (
        ERROR_MESSAGE_PATTERNS,
        GRAPH_ERROR_PROBLEMS,
        RATE_LIMIT_CODES,
        REVOKED_REASONS,
        SERVER_TROUBLE_CODES,
        MessagePattern,
        graph_error_code,
        message_pattern,
    )
    from wizard.core.diagnose.meta_texts import (
        API_SETUP_URL,
        PERMANENT_ROUTE,
        PHONE_NUMBERS_URL,
        SAVE_AND_RESTART,
        STEP_ASSIGN,
        STEP_CREATE,
        STEP_GENERATE,
        STEP_GENERATE_EXPIRING,
        SYSTEM_USERS_URL,
        WHATSAPP_ACCOUNTS_URL,
    )
    from wizard.core.diagnose.problems import NOT_USER_TYPES, problem_for_error
    from wizard.core.diagnose.send import SEND_ERROR_PROBLEMS, FailureText, send_problem
    from wizard.core.diagnose.timefmt import format_delta, format_time
    from wizard.core.diagnose.verdict import diagnose
    from wizard.core.diagnose.warnings import (
        HARMLESS_SCOPES,
        REGISTER_FIX,
        ROTATE_AFTER,
        number_warnings,
        rotation_steps,
    )
    from wizard.core.diagnose.wording import command, graph_text


__all__ = [
    "API_SETUP_URL",
    "CANNOT_SEND_STATUSES",
    "ERROR_MESSAGE_PATTERNS",
    "EXCHANGE_ERROR_PROBLEMS",
    "GRAPH_ERROR_PROBLEMS",
    "HARMLESS_SCOPES",
    "NOT_USER_TYPES",
    "PERMANENT_ROUTE",
    "PHONE_NUMBERS_URL",
    "RATE_LIMIT_CODES",
    "REGISTER_FIX",
    "REVOKED_REASONS",
    "ROTATE_AFTER",
    "SAVE_AND_RESTART",
    "SEND_ERROR_PROBLEMS",
    "SERVER_TROUBLE_CODES",
    "STEP_ASSIGN",
    "STEP_CREATE",
    "STEP_GENERATE",
    "STEP_GENERATE_EXPIRING",
    "SYSTEM_USERS_URL",
    "WHATSAPP_ACCOUNTS_URL",
    "Diagnosis",
    "FailureText",
    "Finding",
    "GraphFindings",
    "LocalFacts",
    "MessagePattern",
    "can_send",
    "command",
    "diagnose",
    "exchange_problem",
    "format_delta",
    "format_time",
    "graph_error_code",
    "graph_text",
    "message_pattern",
    "number_warnings",
    "problem_for_error",
    "rotation_steps",
    "send_problem",
]

__getattr__ = lazy_names(
    __name__,
    (
        "meta_texts",
        "timefmt",
        "graph_errors",
        "findings",
        "wording",
        "problems",
        "accounts",
        "warnings",
        "verdict",
        "send",
        "exchange",
    ),
    __all__,
)
