"""The stand-in's routes without Discord's OpenAPI spec: what a fresh clone uses.

The stand-in finds the operation for each request through its validator. Without the spec this
table stands in: the same operation ids for the routes the stand-in implements, matched the same
way (the most literal template wins), with the same authentication rule, and no body checks. The
wire scenarios then run unchanged; only the validation of bodies against the spec is missing, and
the test summary says so (conftest.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from openapi_validator import (API_PREFIX, OpenAPIValidator, Operation, OperationMatch, SpecViolation, get_validator,
                               spec_path)

# (method, path template, operation id, needs the bot token), as Discord's spec has them.
ROUTES = (
    ("GET", "/users/@me", "get_my_user", True),
    ("GET", "/oauth2/applications/@me", "get_my_oauth2_application", True),
    ("GET", "/gateway", "get_gateway", False),
    ("GET", "/gateway/bot", "get_bot_gateway", True),
    ("PUT", "/applications/{application_id}/commands", "bulk_set_application_commands", True),
    ("GET", "/applications/{application_id}/commands", "list_application_commands", True),
    ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", "bulk_set_guild_application_commands", True),
    ("GET", "/applications/{application_id}/guilds/{guild_id}/commands", "list_guild_application_commands", True),
    ("POST", "/interactions/{interaction_id}/{interaction_token}/callback", "create_interaction_response", False),
    ("POST", "/webhooks/{webhook_id}/{webhook_token}", "execute_webhook", False),
    ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", "get_original_webhook_message", False),
    ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", "update_original_webhook_message", False),
    ("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", "delete_original_webhook_message", False),
    ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", "get_webhook_message", False),
    ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", "update_webhook_message", False),
    ("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", "delete_webhook_message", False),
    ("GET", "/channels/{channel_id}", "get_channel", True),
    ("POST", "/channels/{channel_id}/typing", "trigger_typing_indicator", True),
    ("POST", "/channels/{channel_id}/messages", "create_message", True),
    ("GET", "/channels/{channel_id}/messages/{message_id}", "get_message", True),
    ("PATCH", "/channels/{channel_id}/messages/{message_id}", "update_message", True),
    ("DELETE", "/channels/{channel_id}/messages/{message_id}", "delete_message", True),
    ("POST", "/users/@me/channels", "create_dm", True),
)
BOT_TOKEN = {"security": [{"BotToken": []}]}


def spec_available() -> bool:
    return spec_path().is_file()


# For the tests of the spec check itself, which have nothing to check without the spec.
needs_spec = pytest.mark.skipif(not spec_available(), reason="Discord's OpenAPI spec is not beside the project")


def spec_summary_line() -> str:
    """What the test summary says when the spec was not there."""
    return (f"Discord's OpenAPI spec was not available ({spec_path()} is missing): the wire tests ran without "
            "validating REST bodies against it. CI has it, in ../shared.")


def default_validator(*, strict: bool = True) -> OpenAPIValidator | RouteTable:
    """The spec's validator where the spec is present, else the route table."""
    return get_validator(strict=strict) if spec_available() else RouteTable()


class RouteTable:
    """The validator's interface over ROUTES: routing only, every body accepted."""

    def __init__(self) -> None:
        # More literal segments first, so "/messages/@original" wins over "/messages/{message_id}".
        self.routes = sorted(ROUTES, key=lambda r: -sum(not s.startswith("{") for s in r[1].strip("/").split("/")))

    def match(self, method: str, path: str) -> OperationMatch | None:
        for route_method, template, operation_id, needs_token in self.routes:
            params = bind(template, path)
            if params is not None and route_method == method.upper():
                operation = Operation(route_method, template, operation_id, "", BOT_TOKEN if needs_token else {}, ())
                return OperationMatch(operation, params)
        return None

    def allowed_methods(self, path: str) -> list[str]:
        return sorted({method for method, template, _, _ in self.routes if bind(template, path) is not None})

    def check_request(self, method: str, path: str, *, query: Mapping[str, str] | None = None, body: Any = None,
                      has_body: bool | None = None) -> tuple[OperationMatch | None, list[SpecViolation]]:
        matched = self.match(method, path)
        if matched is None:
            return None, [SpecViolation(method.upper(), path, None, "route", "not a route the stand-in knows")]
        return matched, []

    def check_response(self, matched: OperationMatch, status: int, body: Any) -> list[SpecViolation]:
        return []


def bind(template: str, path: str) -> dict[str, str] | None:
    """The path parameters if `path` fits `template`, else None."""
    path = path.removeprefix(API_PREFIX)
    segments, parts = template.strip("/").split("/"), path.strip("/").split("/")
    if len(segments) != len(parts):
        return None
    return OpenAPIValidator._bind(tuple(segments), tuple(parts))  # noqa: SLF001 - the spec's own matching rule
