"""A loopback stand-in for Discord that the real discord.py client can log into.

One aiohttp server on 127.0.0.1 (port 0) speaks Discord's REST API under ``/api/v10`` and its
websocket gateway under ``/gateway``. The unmodified discord.py client logs in, syncs its
commands, receives interactions and DMs over the gateway and answers over REST, while the
stand-in:

* records every REST request (method, path, query, JSON or ``payload_json`` body, files, headers)
  and every message the bot sends or edits, in :class:`Recorder` lists tests can await;
* validates every request against Discord's OpenAPI spec (see ``openapi_validator``) and keeps
  the violations; its own replies are validated against the response schemas too;
* imitates Discord's rules: 3 s callback deadline (404/10062), double acknowledgement
  (400/40060), followup before acknowledgement (404/10015), an interaction token used after its
  lifetime (401/50027; ``token_lifetime``, 15 minutes unless a test shortens it), posting where the
  bot may not (403/50013 or 50001, see ``deny_bot``), invalid body (400/50035), 401 for a bad
  token, exact ``application/json`` replies, rate-limit headers all-or-none, an injectable
  one-shot 429, 418 for anything not implemented (never 5xx: discord.py would retry for seconds);
* injects events: slash commands built from the commands the bot really synced (guild or DM),
  message context menus, button presses, autocomplete, DMs, guild messages, and a forced gateway
  reconnect (op 7) that the client must RESUME.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import re
import secrets
import socket
import time
import uuid
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Generic, TypeVar

from aiohttp import WSMsgType, web

from discord_routes import RouteTable, default_validator
from openapi_validator import API_PREFIX, OpenAPIValidator, OperationMatch, SpecViolation

try:  # discord.py asks for zstd-stream when it can decode it; compress likewise if we can.
    import zstandard as _zstd
except ImportError:  # pragma: no cover - depends on the environment
    _zstd = None  # then plain text frames, which discord.py always accepts

__all__ = [
    "ADMINISTRATOR",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TOKEN",
    "EPHEMERAL",
    "INTENT_DIRECT_MESSAGES",
    "INTENT_GUILDS",
    "INTENT_GUILD_MEMBERS",
    "INTENT_GUILD_MESSAGES",
    "INTENT_GUILD_PRESENCES",
    "INTENT_MESSAGE_CONTENT",
    "MANAGE_GUILD",
    "MEMBER_PERMISSIONS",
    "SEND_MESSAGES",
    "VIEW_CHANNEL",
    "CommandNotAvailable",
    "CommandNotSynced",
    "CommandSync",
    "DiscordStandin",
    "GatewayFrame",
    "InjectedInteraction",
    "InjectedMessage",
    "InteractionCallback",
    "RecordedFile",
    "RecordedRequest",
    "Recorder",
    "SentMessage",
    "StandinError",
    "UploadedFile",
]

T = TypeVar("T")

DEFAULT_TOKEN = "standin.bot.token"
DEFAULT_TIMEOUT = 5.0
DISCORD_EPOCH_MS = 1_420_070_400_000

# Permission bits, as Discord defines them.
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_APPLICATION_COMMANDS = 1 << 31
#: What an ordinary member may do (the @everyone role); MANAGE_GUILD is deliberately absent.
MEMBER_PERMISSIONS = (
    VIEW_CHANNEL | SEND_MESSAGES | ADD_REACTIONS | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY
    | USE_APPLICATION_COMMANDS
)

# Gateway intents.
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

# Message flags.
EPHEMERAL = 1 << 6
LOADING = 1 << 7
_SETTABLE_FLAGS = (1 << 2) | EPHEMERAL | (1 << 12) | (1 << 15)  # suppress embeds/notifications, components v2

# Gateway opcodes.
OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_PRESENCE = 0, 1, 2, 3
OP_RESUME, OP_RECONNECT, OP_REQUEST_MEMBERS, OP_INVALID_SESSION, OP_HELLO, OP_HEARTBEAT_ACK = 6, 7, 8, 9, 10, 11

# Interaction types and which callback types Discord accepts for each.
IT_COMMAND, IT_COMPONENT, IT_AUTOCOMPLETE = 2, 3, 4
_CALLBACKS_FOR = {IT_COMMAND: {4, 5, 9}, IT_COMPONENT: {4, 5, 6, 7, 9}, IT_AUTOCOMPLETE: {8}}
_OPTION_PYTYPES: dict[int, tuple[type, ...]] = {3: (str,), 4: (int,), 5: (bool,), 10: (int, float)}

_MENTION = re.compile(r"<@!?(\d+)>")


def _iso(epoch: float | None = None) -> str:
    return datetime.fromtimestamp(time.time() if epoch is None else epoch, timezone.utc).isoformat()


class _Snowflakes:
    """Snowflakes with real timestamps, strictly increasing."""

    def __init__(self) -> None:
        self._counter = itertools.count()

    def new(self) -> str:
        """A fresh snowflake, as a string (Discord's wire form)."""
        millis = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return str((millis << 22) | (next(self._counter) & 0xFFF))


# ----------------------------------------------------------------------------- errors
class StandinError(AssertionError):
    """A test asked for something Discord would not let a user do; fails the test loudly."""


class CommandNotSynced(StandinError):
    """The command is not among those the bot synced: a real user could not invoke it."""


class CommandNotAvailable(StandinError):
    """Discord hides the command from this member or context (pass ``force=True`` to override)."""


class _DiscordHTTPError(Exception):
    """A Discord-style JSON error reply."""

    def __init__(self, status: int, code: int, message: str, errors: Mapping[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def body(self) -> dict[str, Any]:
        """The JSON error body."""
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


def _invalid_form_body(problems: Sequence[tuple[str, str]]) -> _DiscordHTTPError:
    """400/50035 with Discord's nested ``errors`` tree, one ``_errors`` leaf per (path, message)."""
    tree: dict[str, Any] = {}
    for path, message in problems:
        node = tree
        for part in [p for p in path.split("/") if p and p != "(root)"]:
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": "STANDIN_SCHEMA", "message": message})
    return _DiscordHTTPError(400, 50035, "Invalid Form Body", tree)


def _form_problem(violation: SpecViolation) -> tuple[str, str]:
    """(path, message) of a violation, for the ``errors`` tree of a 400/50035."""
    if violation.where == "body" and ": " in violation.message:
        path, message = violation.message.split(": ", 1)
        return path, message
    return violation.where, violation.message


# ---------------------------------------------------------------------------- records
@dataclass
class RecordedFile:
    """A file part of a multipart request."""

    field_name: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class RecordedRequest:
    """One REST request the bot made, and what the stand-in answered."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any
    files: list[RecordedFile] = field(default_factory=list)
    operation_id: str | None = None
    status: int = 0
    response: Any = None

    def header(self, name: str) -> str | None:
        """A request header, looked up case-insensitively."""
        wanted = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == wanted), None)

    @property
    def authorization(self) -> str | None:
        """The Authorization header, if any."""
        return self.header("Authorization")

    def summary(self) -> str:
        """One line for failure messages."""
        return f"{self.method} {self.path} [{self.operation_id}] -> {self.status}"


@dataclass
class GatewayFrame:
    """One gateway payload the client sent (``connection`` counts connections from 1)."""

    connection: int
    op: int
    data: Any

    def summary(self) -> str:
        """One line for failure messages (tokens omitted)."""
        return f"conn {self.connection} op {self.op}"


@dataclass
class InteractionCallback:
    """One accepted interaction response (``POST /interactions/{id}/{token}/callback``)."""

    interaction_id: str
    type: int
    data: dict[str, Any]
    with_response: bool

    def summary(self) -> str:
        """One line for failure messages."""
        return f"interaction {self.interaction_id} callback type {self.type}"


@dataclass
class CommandSync:
    """One bulk overwrite of the bot's commands (``guild_id`` None for global)."""

    guild_id: str | None
    commands: list[dict[str, Any]]

    @property
    def names(self) -> list[str]:
        """Names of the synced commands."""
        return [c["name"] for c in self.commands]

    def summary(self) -> str:
        """One line for failure messages."""
        return f"sync {self.guild_id or 'global'}: {self.names}"


@dataclass
class SentMessage:
    """A message the bot created or edited, as Discord stores it after the call.

    ``kind`` is one of ``interaction_response``, ``update_message``, ``followup``,
    ``edit_original``, ``edit_followup``, ``channel_message`` or ``edit_message``; ``body`` is
    what the bot sent.
    """

    kind: str
    message: dict[str, Any]
    body: dict[str, Any]
    interaction_id: str | None = None
    files: list[RecordedFile] = field(default_factory=list)

    @property
    def id(self) -> str:
        """The message id."""
        return str(self.message["id"])

    @property
    def channel_id(self) -> str:
        """The channel the message is in."""
        return str(self.message["channel_id"])

    @property
    def content(self) -> str:
        """The message content."""
        return str(self.message.get("content") or "")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        """The message embeds (response form)."""
        return list(self.message.get("embeds") or [])

    @property
    def components(self) -> list[dict[str, Any]]:
        """The message components (response form)."""
        return list(self.message.get("components") or [])

    @property
    def flags(self) -> int:
        """The message flags."""
        return int(self.message.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        """Whether only the invoking user sees the message."""
        return bool(self.flags & EPHEMERAL)

    @property
    def text(self) -> str:
        """Content plus all embed text, for loose matching."""
        return _message_text(self.message)

    def summary(self) -> str:
        """One line for failure messages."""
        return f"{self.kind} {self.id} in {self.channel_id}: {self.text[:100]!r}"


@dataclass(frozen=True)
class UploadedFile:
    """A file a user attaches (to a DM or an attachment option); served back by the stand-in."""

    filename: str
    data: bytes
    content_type: str = "application/octet-stream"


class Recorder(Generic[T]):
    """An append-only list that tests can await: ``await recorder.wait_for(predicate)``."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.items: list[T] = []
        self._waiters: list[tuple[Callable[[T], bool], asyncio.Future[T]]] = []

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[T]:
        return iter(list(self.items))

    def __getitem__(self, index: int) -> T:
        return self.items[index]

    def append(self, item: T) -> None:
        """Record an item and wake every waiter it satisfies."""
        self.items.append(item)
        for predicate, future in list(self._waiters):
            if not future.done() and predicate(item):
                future.set_result(item)

    def matching(self, predicate: Callable[[T], bool] | None = None) -> list[T]:
        """All items so far that satisfy ``predicate``."""
        return [item for item in self.items if predicate is None or predicate(item)]

    async def wait_for(
        self,
        predicate: Callable[[T], bool] | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        start: int = 0,
        description: str = "",
    ) -> T:
        """The first item from index ``start`` on that satisfies ``predicate``, waiting if needed.

        Raises AssertionError (with what was recorded) if none arrives within ``timeout`` s.
        """
        check = predicate or (lambda _item: True)
        for item in self.items[start:]:
            if check(item):
                return item
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        waiter = (check, future)
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(future, timeout)
        except asyncio.TimeoutError:
            raise AssertionError(self._timeout_message(timeout, start, description)) from None
        finally:
            self._waiters.remove(waiter)

    def _timeout_message(self, timeout: float, start: int, description: str) -> str:
        recent = [getattr(item, "summary", lambda i=item: repr(i)[:200])() for item in self.items[start:][-8:]]
        seen = "\n  ".join(recent) or "(nothing)"
        return f"timed out after {timeout:.1f}s waiting for {self.what} {description}\nrecorded since start:\n  {seen}"


# ------------------------------------------------------------------ message helpers
def _message_text(message: Mapping[str, Any]) -> str:
    parts = [str(message.get("content") or "")]
    for embed in message.get("embeds") or []:
        parts += [str(embed.get(key) or "") for key in ("title", "description")]
        parts += [f"{f.get('name', '')}\n{f.get('value', '')}" for f in embed.get("fields") or []]
        parts += [str((embed.get(key) or {}).get(sub) or "") for key, sub in (("author", "name"), ("footer", "text"))]
    return "\n".join(part for part in parts if part)


def _prune(value: Any) -> Any:
    """Drop null members recursively: Discord omits unset optional fields in replies."""
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def _embed_reply(embed: Mapping[str, Any]) -> dict[str, Any]:
    reply = _prune(dict(embed))
    reply.setdefault("type", "rich")
    reply["fields"] = [{"inline": False, **f} for f in reply.get("fields", [])]
    if not reply["fields"]:
        del reply["fields"]
    return reply


def _components_reply(components: Sequence[Mapping[str, Any]], ids: Iterator[int]) -> list[dict[str, Any]]:
    """Request components in reply form: Discord numbers every component."""
    reply = []
    for component in components:
        item = _prune(dict(component))
        item.setdefault("id", next(ids))
        if "components" in item:
            item["components"] = _components_reply(item["components"], ids)
        reply.append(item)
    return reply


def _walk_components(components: Sequence[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    for component in components:
        yield component
        yield from _walk_components(component.get("components") or [])
        if isinstance(component.get("accessory"), Mapping):
            yield component["accessory"]


def _find_command_option(options: Sequence[Mapping[str, Any]], name: str, command: str) -> Mapping[str, Any]:
    for option in options:
        if option["name"] == name:
            return option
    known = [o["name"] for o in options]
    raise StandinError(f"/{command} has no option {name!r} (synced options: {known})")


# ------------------------------------------------------------------ internal state
@dataclass
class _Interaction:
    id: str
    token: str
    type: int
    channel_id: str
    created: float
    payload: dict[str, Any]
    acked: int | None = None
    original_id: str | None = None
    followups: set[str] = field(default_factory=set)


@dataclass
class _InjectedRateLimit:
    operation_id: str
    retry_after: float
    is_global: bool
    remaining: int


@dataclass
class _InjectedError:
    operation_id: str
    status: int
    body: dict[str, Any]
    remaining: int


class _Connection:
    """One gateway websocket, with the compression the client asked for."""

    def __init__(self, number: int, ws: web.WebSocketResponse, compress: str | None) -> None:
        self.number, self.ws = number, ws
        self._lock = asyncio.Lock()
        self._zlib = zlib.compressobj() if compress == "zlib-stream" else None
        self._zstd = _zstd.ZstdCompressor().compressobj() if compress == "zstd-stream" and _zstd else None

    async def send(self, payload: Mapping[str, Any]) -> None:
        """Send one gateway payload (compressed as a binary frame when negotiated)."""
        text = json.dumps(payload, separators=(",", ":"))
        async with self._lock:  # compression contexts are order-sensitive
            if self._zlib is not None:
                data = self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
                await self.ws.send_bytes(data)
            elif self._zstd is not None:
                data = self._zstd.compress(text.encode()) + self._zstd.flush(_zstd.COMPRESSOBJ_FLUSH_BLOCK)
                await self.ws.send_bytes(data)
            else:
                await self.ws.send_str(text)


@dataclass
class _Session:
    session_id: str
    intents: int
    seq: int = 0
    log: list[dict[str, Any]] = field(default_factory=list)
    conn: _Connection | None = None


# ------------------------------------------------------------------ handles for tests
@dataclass
class InjectedInteraction:
    """An interaction the stand-in sent to the bot; await its response and messages."""

    standin: DiscordStandin = field(repr=False)
    id: str
    token: str
    payload: dict[str, Any]

    async def response(self, *, timeout: float = DEFAULT_TIMEOUT) -> InteractionCallback:
        """The bot's accepted interaction response (callback)."""
        return await self.standin.callbacks.wait_for(
            lambda c: c.interaction_id == self.id, timeout=timeout, description=f"for interaction {self.id}"
        )

    async def message(
        self,
        predicate: Callable[[SentMessage], bool] | None = None,
        *,
        contains: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> SentMessage:
        """A message the bot sent or edited for this interaction (reply, edit, followup)."""

        def wanted(m: SentMessage) -> bool:
            if m.interaction_id != self.id or (contains is not None and contains not in m.text):
                return False
            return predicate is None or predicate(m)

        what = f"for interaction {self.id}" + (f" containing {contains!r}" if contains else "")
        return await self.standin.sent_messages.wait_for(wanted, timeout=timeout, description=what)

    @property
    def messages(self) -> list[SentMessage]:
        """Messages recorded so far for this interaction."""
        return self.standin.sent_messages.matching(lambda m: m.interaction_id == self.id)


@dataclass
class InjectedMessage:
    """A user message the stand-in dispatched (``delivered`` is False if no intent covered it)."""

    message: dict[str, Any]
    delivered: bool

    @property
    def id(self) -> str:
        """The message id."""
        return str(self.message["id"])

    @property
    def channel_id(self) -> str:
        """The channel the message was posted in."""
        return str(self.message["channel_id"])


# ----------------------------------------------------------------------- the stand-in
class DiscordStandin:
    """Discord on loopback: REST + gateway for one bot application, one guild, a few users.

    ``strict`` also flags unknown body keys (recorded, not refused, as Discord ignores them);
    ``allowed_privileged_intents`` are those "enabled in the developer portal" (others: 4014).
    Records: ``requests``, ``sent_messages``, ``callbacks``, ``command_syncs``, ``gateway_frames``
    (all :class:`Recorder`), ``violations`` and ``gateway_connections``. World: ``bot_user``,
    ``application_id``, ``guild_id``, ``channel_id`` (a text channel), ``default_user``, ``users``,
    ``roles``, ``channels``, ``messages``.
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        strict: bool = True,
        callback_deadline: float = 3.0,
        token_lifetime: float = 900.0,
        allowed_privileged_intents: int = INTENT_MESSAGE_CONTENT,
        validator: OpenAPIValidator | RouteTable | None = None,
    ) -> None:
        self.token = token
        self.validator = validator or default_validator(strict=strict)  # without the spec: routes only
        #: Seconds a bot has to acknowledge an interaction (Discord: 3).
        self.callback_deadline = callback_deadline
        #: Seconds an interaction token stays valid for edits and followups (Discord: 15 minutes);
        #: after that its webhook answers 401 with code 50027 "Invalid Webhook Token", as Discord does.
        self.token_lifetime = token_lifetime
        #: Permissions taken from the bot per channel by :meth:`deny_bot`.
        self.bot_denied: dict[str, int] = {}
        self.allowed_privileged_intents = allowed_privileged_intents
        self._ids = _Snowflakes()
        self._component_ids = itertools.count(1)
        self._build_world()
        self._interactions: dict[str, _Interaction] = {}
        self._command_ids: dict[tuple[str | None, int, str], str] = {}
        self._rate_limits: list[_InjectedRateLimit] = []
        self._errors: list[_InjectedError] = []
        self._attachments: dict[str, UploadedFile] = {}
        self.synced_commands: dict[str | None, list[dict[str, Any]]] = {}
        self.requests: Recorder[RecordedRequest] = Recorder("REST requests")
        self.sent_messages: Recorder[SentMessage] = Recorder("messages from the bot")
        self.callbacks: Recorder[InteractionCallback] = Recorder("interaction callbacks")
        self.gateway_frames: Recorder[GatewayFrame] = Recorder("gateway frames from the bot")
        self.command_syncs: Recorder[CommandSync] = Recorder("command syncs")
        self._resumes: Recorder[int] = Recorder("resumed gateway connections")
        #: Every spec violation seen (requests, and the stand-in's own replies).
        self.violations: list[SpecViolation] = []
        #: Path and query of every gateway connection, in order.
        self.gateway_connections: list[str] = []
        self._session: _Session | None = None
        self._session_ready = asyncio.Event()
        self._connections = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ------------------------------------------------------------------- world
    def _build_world(self) -> None:
        self.application_id = self._ids.new()
        # Modern applications share their id with their bot user.
        self.bot_user = self._user_payload(self.application_id, "marginalia-standin", bot=True)
        self.owner = self._user_payload(self._ids.new(), "standin-owner")
        self.guild_id = self._ids.new()
        self.channel_id = self._ids.new()
        self.users: dict[str, dict[str, Any]] = {self.bot_user["id"]: self.bot_user, self.owner["id"]: self.owner}
        everyone = self._role_payload(self.guild_id, "@everyone", MEMBER_PERMISSIONS, position=0)
        self.roles: dict[str, dict[str, Any]] = {self.guild_id: everyone}
        self.channels: dict[str, dict[str, Any]] = {self.channel_id: self._text_channel(self.channel_id, "general")}
        self.dm_channels: dict[str, str] = {}
        self.messages: dict[str, dict[str, Any]] = {}
        self.default_user = self.add_user("alice")

    @staticmethod
    def _user_payload(user_id: str, username: str, *, bot: bool = False) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": user_id,
            "username": username,
            "discriminator": "0",
            "global_name": None if bot else username.title(),
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
            "primary_guild": None,
        }
        if bot:
            user["bot"] = True
        return user

    @staticmethod
    def _role_payload(role_id: str, name: str, permissions: int, *, position: int) -> dict[str, Any]:
        return {
            "id": role_id, "name": name, "permissions": str(permissions), "position": position, "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False, "managed": False, "mentionable": False, "flags": 0, "icon": None, "unicode_emoji": None,
        }

    def _text_channel(self, channel_id: str, name: str) -> dict[str, Any]:
        return {
            "id": channel_id, "type": 0, "guild_id": self.guild_id, "name": name, "position": 0, "flags": 0,
            "permission_overwrites": [], "nsfw": False, "parent_id": None, "topic": None,
            "last_message_id": None, "rate_limit_per_user": 0,
        }

    def add_user(self, username: str) -> dict[str, Any]:
        """Create a (human) user who can run commands and send DMs; returns its user object."""
        user = self._user_payload(self._ids.new(), username)
        self.users[user["id"]] = user
        return user

    def add_role(self, name: str, permissions: int = 0) -> str:
        """Create a guild role; returns its id (pass it in ``roles=`` when injecting)."""
        role_id = self._ids.new()
        self.roles[role_id] = self._role_payload(role_id, name, permissions, position=len(self.roles))
        return role_id

    async def deny_bot(self, permissions: int, channel_id: str | None = None) -> None:
        """Take ``permissions`` (e.g. ``SEND_MESSAGES``) from the bot in a guild channel (default: the
        text channel), as a server admin would with a permission overwrite.

        The channel's overwrites and later interactions' ``app_permissions`` show it (a connected bot
        gets CHANNEL_UPDATE); posting there answers 403 50001 Missing Access without VIEW_CHANNEL,
        403 50013 Missing Permissions without SEND_MESSAGES.
        """
        channel = self._channel(channel_id or self.channel_id)
        denied = self.bot_denied[channel["id"]] = self.bot_denied.get(channel["id"], 0) | permissions
        bot_id = self.bot_user["id"]
        overwrites = [o for o in channel["permission_overwrites"] if o["id"] != bot_id]
        channel["permission_overwrites"] = overwrites + [{"id": bot_id, "type": 1, "allow": "0", "deny": str(denied)}]
        if self._session is not None:
            await self.dispatch("CHANNEL_UPDATE", dict(channel))

    def _check_bot_may_post(self, channel: Mapping[str, Any]) -> None:
        denied = self.bot_denied.get(channel["id"], 0)
        if denied & VIEW_CHANNEL:
            raise _DiscordHTTPError(403, 50001, "Missing Access")
        if denied & SEND_MESSAGES:
            raise _DiscordHTTPError(403, 50013, "Missing Permissions")

    def dm_channel_for(self, user: Mapping[str, Any]) -> dict[str, Any]:
        """The bot's DM channel with ``user`` (created on first use, as Discord does)."""
        channel_id = self.dm_channels.get(user["id"])
        if channel_id is None:
            channel_id = self._ids.new()
            self.dm_channels[user["id"]] = channel_id
            self.channels[channel_id] = {
                "id": channel_id, "type": 1, "flags": 0, "last_message_id": None, "recipients": [dict(user)],
            }
        return self.channels[channel_id]

    def guild_payload(self) -> dict[str, Any]:
        """The GUILD_CREATE payload of the stand-in's guild."""
        joined = _iso()
        return {
            "id": self.guild_id, "name": "Standin Study Group", "icon": None, "splash": None,
            "discovery_splash": None, "owner_id": self.owner["id"], "afk_channel_id": None, "afk_timeout": 300,
            "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
            "mfa_level": 0, "nsfw_level": 0, "premium_tier": 0, "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False, "preferred_locale": "en-US", "features": [],
            "system_channel_id": self.channel_id, "system_channel_flags": 0, "rules_channel_id": None,
            "public_updates_channel_id": None, "safety_alerts_channel_id": None, "vanity_url_code": None,
            "description": None, "banner": None, "max_members": 500000, "max_video_channel_users": 25,
            "application_id": None, "roles": list(self.roles.values()), "emojis": [], "stickers": [],
            "joined_at": joined, "large": False, "unavailable": False, "member_count": len(self.users),
            "members": [self._member_payload(self.bot_user, [], None, include_permissions=False)],
            "channels": [dict(c) for c in self.channels.values() if c.get("guild_id") == self.guild_id],
            "threads": [], "presences": [], "voice_states": [], "stage_instances": [],
            "guild_scheduled_events": [], "soundboard_sounds": [], "lazy": True,
        }

    def _member_payload(
        self, user: Mapping[str, Any], roles: Sequence[str], permissions: int | None, *,
        include_permissions: bool = True,
    ) -> dict[str, Any]:
        member: dict[str, Any] = {
            "user": dict(user), "roles": list(roles), "joined_at": _iso(), "deaf": False, "mute": False,
            "flags": 0, "pending": False, "nick": None, "avatar": None, "premium_since": None,
            "communication_disabled_until": None,
        }
        if include_permissions:
            member["permissions"] = str(self.member_permissions(roles) if permissions is None else permissions)
        return member

    def member_permissions(self, roles: Sequence[str]) -> int:
        """Guild-level permissions of a member with these role ids (@everyone included)."""
        value = int(self.roles[self.guild_id]["permissions"])
        for role_id in roles:
            if role_id not in self.roles:
                raise StandinError(f"unknown role id {role_id}; create it with add_role()")
            value |= int(self.roles[role_id]["permissions"])
        return value

    # ------------------------------------------------------------------ server
    @property
    def api_base(self) -> str:
        """What ``discord.http.Route.BASE`` must be set to."""
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """What ``DiscordWebSocket.DEFAULT_GATEWAY`` must be set to."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        """The ``resume_gateway_url`` sent in READY (distinct, to prove resumes go there)."""
        return f"ws://127.0.0.1:{self.port}/gateway/resume"

    async def start(self) -> None:
        """Listen on 127.0.0.1, on a free port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/gateway/resume", self._gateway)
        app.router.add_get("/attachments/{attachment_id}/{filename}", self._attachment)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        """Close gateway connections and the server."""
        session = self._session
        if session is not None and session.conn is not None:
            await session.conn.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def take_violations(self) -> list[SpecViolation]:
        """Return and forget the violations recorded so far (for tests that provoke them)."""
        found, self.violations = self.violations, []
        return found

    # ----------------------------------------------------------------- gateway
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, heartbeat=None, max_msg_size=0)
        await ws.prepare(request)
        self.gateway_connections.append(request.path_qs)
        conn = _Connection(next(self._connections), ws, request.query.get("compress"))
        await conn.send({"op": OP_HELLO, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                break
            frame = json.loads(msg.data)
            self.gateway_frames.append(GatewayFrame(conn.number, frame.get("op", -1), frame.get("d")))
            await self._on_frame(conn, frame)
        if self._session is not None and self._session.conn is conn:
            self._session.conn = None
        return ws

    async def _on_frame(self, conn: _Connection, frame: Mapping[str, Any]) -> None:
        op, data = frame.get("op"), frame.get("d")
        if op == OP_HEARTBEAT:
            await conn.send({"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == OP_IDENTIFY:
            await self._identify(conn, data or {})
        elif op == OP_RESUME:
            await self._resume(conn, data or {})
        elif op == OP_REQUEST_MEMBERS:
            await self._members_chunk(data or {})
        elif op != OP_PRESENCE:
            await conn.ws.close(code=4001, message=b"Unknown opcode.")

    async def _identify(self, conn: _Connection, data: Mapping[str, Any]) -> None:
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = data.get("intents")
        if not isinstance(intents, int) or intents < 0:
            await conn.ws.close(code=4013, message=b"Invalid intent(s).")
            return
        if intents & PRIVILEGED_INTENTS & ~self.allowed_privileged_intents:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        self._session = _Session(uuid.uuid4().hex, intents, conn=conn)
        ready = {
            "v": 10, "user": {**self.bot_user, "mfa_enabled": False, "verified": True},
            "guilds": [{"id": self.guild_id, "unavailable": True}], "session_id": self._session.session_id,
            "resume_gateway_url": self.resume_gateway_url, "session_type": "normal",
            "application": {"id": self.application_id, "flags": 0}, "private_channels": [], "relationships": [],
            "presences": [], "guild_join_requests": [], "user_settings": {}, "geo_ordered_rtc_regions": [],
        }
        await self.dispatch("READY", ready)
        await self.dispatch("GUILD_CREATE", self.guild_payload())
        self._session_ready.set()

    async def _resume(self, conn: _Connection, data: Mapping[str, Any]) -> None:
        session = self._session
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        if session is None or data.get("session_id") != session.session_id:
            await conn.send({"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        missed = [p for p in session.log if p["s"] > int(data.get("seq") or 0)]
        session.conn = conn
        for payload in missed:
            await conn.send(payload)
        await self._emit(session, "RESUMED", {})
        self._resumes.append(conn.number)

    async def _members_chunk(self, data: Mapping[str, Any]) -> None:
        members = [self._member_payload(u, [], None, include_permissions=False) for u in self.users.values()]
        chunk = {"guild_id": self.guild_id, "members": members, "chunk_index": 0, "chunk_count": 1}
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    @staticmethod
    def _needed_intent(event: str, data: Mapping[str, Any]) -> int:
        if event.startswith("MESSAGE_"):
            return INTENT_GUILD_MESSAGES if data.get("guild_id") else INTENT_DIRECT_MESSAGES
        if event.startswith("GUILD_") and event != "GUILD_MEMBERS_CHUNK":
            return INTENT_GUILDS
        return 0

    async def dispatch(self, event: str, data: dict[str, Any]) -> bool:
        """Send a DISPATCH event to the bot, as Discord would (subject to its intents).

        Returns False if the bot's intents do not cover the event. Events sent while the client
        is reconnecting are kept and replayed when it resumes.
        """
        session = self._session
        if session is None:
            raise StandinError("the bot has not identified on the gateway yet")
        needed = self._needed_intent(event, data)
        if needed and not session.intents & needed:
            return False
        if event == "MESSAGE_CREATE" and data.get("guild_id") and not session.intents & INTENT_MESSAGE_CONTENT:
            data = self._without_content(data)
        await self._emit(session, event, data)
        return True

    def _without_content(self, data: dict[str, Any]) -> dict[str, Any]:
        # Without MESSAGE_CONTENT, guild messages arrive blank unless they mention the bot.
        if any(m["id"] == self.bot_user["id"] for m in data.get("mentions", [])):
            return data
        if data.get("author", {}).get("id") == self.bot_user["id"]:
            return data
        return {**data, "content": "", "embeds": [], "attachments": [], "components": []}

    async def _emit(self, session: _Session, event: str, data: dict[str, Any]) -> None:
        session.seq += 1
        payload = {"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data}
        if event not in ("READY", "RESUMED"):
            session.log.append(payload)
        if session.conn is not None:
            await session.conn.send(payload)

    async def wait_until_connected(self, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Wait until the bot has identified (READY and GUILD_CREATE sent)."""
        try:
            await asyncio.wait_for(self._session_ready.wait(), timeout)
        except asyncio.TimeoutError:
            raise StandinError(f"the bot did not identify on the gateway within {timeout}s") from None

    async def sync_gateway(self, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        """A gateway round trip: once it returns, the client has processed every earlier event.

        The stand-in asks for a heartbeat (op 1); discord.py answers it in order, after parsing
        (and scheduling handlers for) everything sent before.
        """
        session = self._session
        if session is None or session.conn is None:
            raise StandinError("the bot is not connected to the gateway")
        start = len(self.gateway_frames)
        await session.conn.send({"op": OP_HEARTBEAT, "d": None, "s": None, "t": None})
        await self.gateway_frames.wait_for(lambda f: f.op == OP_HEARTBEAT, start=start, timeout=timeout,
                                           description="(heartbeat reply)")

    @property
    def session_id(self) -> str | None:
        """The current gateway session id (None before IDENTIFY)."""
        return None if self._session is None else self._session.session_id

    async def request_reconnect(self) -> int:
        """Send op 7 RECONNECT without waiting; returns the frame index to pass to wait_for_resume.

        Events dispatched until the client resumes are only logged, then replayed on RESUME.
        """
        session = self._session
        if session is None or session.conn is None:
            raise StandinError("the bot is not connected to the gateway")
        conn, start = session.conn, len(self.gateway_frames)
        session.conn = None
        await conn.send({"op": OP_RECONNECT, "d": None, "s": None, "t": None})
        return start

    async def wait_for_resume(self, *, start: int = 0, timeout: float = DEFAULT_TIMEOUT) -> GatewayFrame:
        """Wait for the client's op 6 RESUME (from frame ``start`` on) and until it has processed
        the replay and RESUMED; returns the RESUME frame."""
        frame = await self.gateway_frames.wait_for(lambda f: f.op == OP_RESUME, start=start, timeout=timeout,
                                                   description="(op 6 RESUME)")
        await self._resumes.wait_for(lambda n: n == frame.connection, timeout=timeout,
                                     description=f"(RESUMED on connection {frame.connection})")
        await self.sync_gateway(timeout=timeout)
        return frame

    async def force_reconnect(self, *, timeout: float = DEFAULT_TIMEOUT) -> GatewayFrame:
        """Send op 7 RECONNECT and wait until the client has resumed; returns its RESUME frame."""
        start = await self.request_reconnect()
        return await self.wait_for_resume(start=start, timeout=timeout)

    # -------------------------------------------------------------------- REST
    async def _rest(self, request: web.Request) -> web.Response:
        record, parse_error = await self._read_request(request)
        # A files-only multipart request still has a (empty) JSON part as far as Discord cares.
        body = {} if record.json is None and record.files else record.json
        matched, violations = self.validator.check_request(
            record.method, record.path, query=record.query, body=body,
            has_body=body is not None or parse_error is not None,
        )
        violations += self._content_type_violations(request, record)
        self.violations += violations
        record.operation_id = matched.operation.operation_id if matched else None
        try:
            status, body = await self._answer(record, matched, violations, parse_error)
        except _DiscordHTTPError as error:
            status, body = error.status, error.body()
        record.status, record.response = status, body
        if matched is not None:
            self.violations += self.validator.check_response(matched, status, body)
        self.requests.append(record)
        return self._reply(status, body, record.operation_id)

    async def _read_request(self, request: web.Request) -> tuple[RecordedRequest, str | None]:
        path = request.path[len(API_PREFIX):] or "/"
        record = RecordedRequest(request.method, path, dict(request.query), dict(request.headers), None)
        if not request.can_read_body:
            return record, None
        if request.content_type == "multipart/form-data":
            return record, await self._read_multipart(request, record)
        raw = await request.read()
        try:
            record.json = json.loads(raw) if raw else None
        except ValueError as exc:
            return record, str(exc)
        return record, None

    @staticmethod
    async def _read_multipart(request: web.Request, record: RecordedRequest) -> str | None:
        reader = await request.multipart()
        error = None
        async for part in reader:
            name = part.name or ""
            data = bytes(await part.read())  # type: ignore[union-attr]
            if name == "payload_json":
                try:
                    record.json = json.loads(data)
                except ValueError as exc:
                    error = str(exc)
            else:
                content_type = part.headers.get("Content-Type", "application/octet-stream")
                record.files.append(RecordedFile(name, part.filename or "", content_type, data))
        return error

    @staticmethod
    def _content_type_violations(request: web.Request, record: RecordedRequest) -> list[SpecViolation]:
        if record.json is None or request.content_type in ("application/json", "multipart/form-data"):
            return []
        message = f"JSON body sent with Content-Type {request.content_type!r}"
        return [SpecViolation(record.method, record.path, None, "headers", message)]

    async def _answer(self, record: RecordedRequest, matched: OperationMatch | None,
                      violations: list[SpecViolation], parse_error: str | None) -> tuple[int, Any]:
        """Discord's answer: routing, auth, injected 429, body rules, then the operation itself."""
        if matched is None:
            if self.validator.allowed_methods(record.path):
                return 405, {"message": "405: Method Not Allowed", "code": 0}
            return 404, {"message": "404: Not Found", "code": 0}
        op = matched.operation
        if op.requires_bot_token and record.authorization != f"Bot {self.token}":
            return 401, {"message": "401: Unauthorized", "code": 0}
        limited = self._take_rate_limit(op.operation_id)
        if limited is not None:
            return 429, {"message": "You are being rate limited.", "retry_after": limited.retry_after,
                         "global": limited.is_global, "code": 0}
        failed = next((e for e in self._errors if e.operation_id == op.operation_id and e.remaining > 0), None)
        if failed is not None:
            failed.remaining -= 1
            return failed.status, failed.body
        if parse_error is not None:
            return 400, {"message": "The request body contains invalid JSON.", "code": 50109}
        rejected = [_form_problem(v) for v in violations if v.rejected]
        if rejected:
            raise _invalid_form_body(rejected)
        handler = getattr(self, f"_op_{op.operation_id}", None)
        if handler is None:
            self.violations.append(SpecViolation(record.method, record.path, op.operation_id, "stand-in",
                                                 "route not implemented by the stand-in (answered 418)"))
            return 418, {"message": f"stand-in does not implement {op.operation_id}", "code": 0}
        return await handler(record, matched.path_params)

    def _reply(self, status: int, body: Any, operation_id: str | None) -> web.Response:
        bucket = hashlib.sha1((operation_id or "none").encode()).hexdigest()[:32]
        limited = status == 429
        reset_after = float(body["retry_after"]) if limited else 1.0
        # All five or none: discord.py reads Reset-After whenever Remaining is present.
        headers = {
            "X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0" if limited else "4",
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}", "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket,
        }
        if limited:
            # Without Via discord.py takes a 429 for a Cloudflare ban and gives up.
            headers.update({"Via": "1.1 google", "Retry-After": str(max(1, round(reset_after))),
                            "X-RateLimit-Scope": "user", "X-RateLimit-Global": str(body["global"]).lower()})
        if status == 204 or body is None:
            return web.Response(status=status, headers=headers)
        # Exactly "application/json": discord.py compares the header for equality.
        headers["Content-Type"] = "application/json"
        return web.Response(status=status, body=json.dumps(body).encode(), headers=headers)

    def inject_rate_limit(
        self, operation_id: str, *, retry_after: float = 0.05, is_global: bool = False, count: int = 1
    ) -> None:
        """Answer the next ``count`` calls of ``operation_id`` (e.g. ``"create_message"``) with 429."""
        self._rate_limits.append(_InjectedRateLimit(operation_id, retry_after, is_global, count))

    def inject_error(self, operation_id: str, *, status: int = 400, code: int = 50035,
                     message: str = "Invalid Form Body", count: int = 1) -> None:
        """Answer the next ``count`` calls of ``operation_id`` with ``status`` and Discord's error body
        (by default 400 Invalid Form Body: what Discord says to a request it finds malformed)."""
        self._errors.append(_InjectedError(operation_id, status, {"message": message, "code": code}, count))

    def _take_rate_limit(self, operation_id: str) -> _InjectedRateLimit | None:
        for limit in self._rate_limits:
            if limit.operation_id == operation_id and limit.remaining > 0:
                limit.remaining -= 1
                return limit
        return None

    async def _attachment(self, request: web.Request) -> web.Response:
        upload = self._attachments.get(request.match_info["attachment_id"])
        if upload is None:
            return web.Response(status=404)
        return web.Response(body=upload.data, headers={"Content-Type": upload.content_type})

    # ------------------------------------------------------- REST: operations
    async def _op_get_my_user(self, _rec: RecordedRequest, _p: Mapping[str, str]) -> tuple[int, Any]:
        return 200, {**self.bot_user, "mfa_enabled": False, "locale": "en-US", "verified": True, "email": None}

    async def _op_get_my_oauth2_application(self, _rec: RecordedRequest, _p: Mapping[str, str]) -> tuple[int, Any]:
        return 200, {
            "id": self.application_id, "name": "Marginalia Standin", "icon": None, "description": "",
            "type": None, "bot": self.bot_user, "bot_public": False, "bot_require_code_grant": False,
            "verify_key": secrets.token_hex(32), "flags": 0, "flags_new": "0", "redirect_uris": [],
            "interactions_endpoint_url": None, "role_connections_verification_url": None, "owner": self.owner,
            "approximate_guild_count": 1, "approximate_user_install_count": 0,
            "approximate_user_authorization_count": 0, "explicit_content_filter": 0, "team": None,
            "eligible_oauth2_scopes": ["bot", "applications.commands"], "rpc_origins": [], "tags": [],
        }

    async def _op_get_gateway(self, _rec: RecordedRequest, _p: Mapping[str, str]) -> tuple[int, Any]:
        return 200, {"url": self.gateway_url}

    async def _op_get_bot_gateway(self, _rec: RecordedRequest, _p: Mapping[str, str]) -> tuple[int, Any]:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
        return 200, {"url": self.gateway_url, "shards": 1, "session_start_limit": limit}

    async def _op_bulk_set_application_commands(self, rec: RecordedRequest, _p: Mapping[str, str]) -> tuple[int, Any]:
        return 200, self._store_commands(None, rec.json or [])

    async def _op_bulk_set_guild_application_commands(
        self, rec: RecordedRequest, p: Mapping[str, str]
    ) -> tuple[int, Any]:
        if p["guild_id"] != self.guild_id:
            raise _DiscordHTTPError(403, 50001, "Missing Access")
        return 200, self._store_commands(p["guild_id"], rec.json or [])

    async def _op_list_application_commands(self, _rec: RecordedRequest, _p: Mapping[str, str]) -> tuple[int, Any]:
        return 200, self.synced_commands.get(None, [])

    async def _op_list_guild_application_commands(self, _rec: RecordedRequest, p: Mapping[str, str]) -> tuple[int, Any]:
        return 200, self.synced_commands.get(p["guild_id"], [])

    def _store_commands(self, guild_id: str | None, commands: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        stored = [self._command_reply(guild_id, c) for c in commands]
        self.synced_commands[guild_id] = stored
        self.command_syncs.append(CommandSync(guild_id, stored))
        return stored

    def _command_reply(self, guild_id: str | None, command: Mapping[str, Any]) -> dict[str, Any]:
        kind = int(command.get("type") or 1)
        key = (guild_id, kind, str(command["name"]))
        command_id = self._command_ids.setdefault(key, self._ids.new())  # stable across syncs
        dmp = command.get("default_member_permissions")
        reply = _prune({k: v for k, v in command.items() if k not in ("default_member_permissions", "id")})
        reply.update({
            "id": command_id, "application_id": self.application_id, "version": self._ids.new(), "type": kind,
            "description": command.get("description") or "",
            "default_member_permissions": None if dmp is None else str(dmp),
            "integration_types": command.get("integration_types") or [0],
        })
        if kind == 1:
            reply["options"] = [_prune(dict(o)) for o in command.get("options") or []]
        if guild_id is not None:
            reply["guild_id"] = guild_id
        return reply

    async def _op_create_interaction_response(self, rec: RecordedRequest, p: Mapping[str, str]) -> tuple[int, Any]:
        state = self._interactions.get(p["interaction_id"])
        if state is None or state.token != p["interaction_token"]:
            raise _DiscordHTTPError(404, 10062, "Unknown interaction")
        if asyncio.get_running_loop().time() - state.created > self.callback_deadline:
            raise _DiscordHTTPError(404, 10062, "Unknown interaction")
        if state.acked is not None:
            raise _DiscordHTTPError(400, 40060, "Interaction has already been acknowledged.")
        body = rec.json or {}
        kind, data = int(body["type"]), body.get("data") or {}
        if kind not in _CALLBACKS_FOR.get(state.type, set()):
            raise _invalid_form_body([("type", f"callback type {kind} is not valid for interaction type {state.type}")])
        state.acked = kind
        resource = self._apply_callback(state, kind, data, rec.files)
        with_response = rec.query.get("with_response", "").lower() in ("1", "true")
        self.callbacks.append(InteractionCallback(state.id, kind, dict(data), with_response))
        if not with_response:
            return 204, None
        return 200, self._callback_reply(state, resource)

    def _apply_callback(self, state: _Interaction, kind: int, data: Mapping[str, Any],
                        files: list[RecordedFile]) -> dict[str, Any] | None:
        """Create or update the message a callback implies; returns the ``resource`` if any."""
        if kind == 4:
            self._require_content(data, files)
            message = self._new_message(state.channel_id, self.bot_user, data, files, interaction=state)
            state.original_id = message["id"]
            self._record_sent("interaction_response", message, data, state, files)
            return {"type": 4, "message": message}
        if kind == 5:
            flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
            message = self._new_message(state.channel_id, self.bot_user, {"flags": flags}, [], interaction=state)
            state.original_id = message["id"]
            return None
        if kind in (6, 7):
            state.original_id = str(state.payload["message"]["id"])
            if kind == 7:
                message = self._edit_message(state.original_id, data, files)
                self._record_sent("update_message", message, data, state, files)
                return {"type": 7, "message": message}
        return None

    def _callback_reply(self, state: _Interaction, resource: dict[str, Any] | None) -> dict[str, Any]:
        interaction: dict[str, Any] = {"id": state.id, "type": state.type}
        if state.original_id is not None and state.acked in (4, 5):
            original = self.messages[state.original_id]
            interaction.update({
                "response_message_id": original["id"],
                "response_message_loading": bool(original["flags"] & LOADING),
                "response_message_ephemeral": bool(original["flags"] & EPHEMERAL),
            })
        reply: dict[str, Any] = {"interaction": interaction}
        if resource is not None:
            reply["resource"] = resource
        return reply

    def _webhook_interaction(self, p: Mapping[str, str]) -> _Interaction:
        """The interaction behind ``/webhooks/{app}/{token}``, enforcing Discord's rules."""
        state = next((s for s in self._interactions.values() if s.token == p["webhook_token"]), None)
        if p["webhook_id"] != self.application_id or state is None or state.acked is None:
            # Discord knows no webhook for an interaction that has not been acknowledged yet.
            raise _DiscordHTTPError(404, 10015, "Unknown Webhook")
        if asyncio.get_running_loop().time() - state.created > self.token_lifetime:
            raise _DiscordHTTPError(401, 50027, "Invalid Webhook Token")
        return state

    def _webhook_message(self, state: _Interaction, message_id: str) -> dict[str, Any]:
        target = state.original_id if message_id == "@original" else message_id
        if target is None or target not in self.messages or (
            message_id != "@original" and target not in state.followups
        ):
            raise _DiscordHTTPError(404, 10008, "Unknown Message")
        return self.messages[target]

    async def _op_execute_webhook(self, rec: RecordedRequest, p: Mapping[str, str]) -> tuple[int, Any]:
        state = self._webhook_interaction(p)
        body = rec.json or {}
        self._require_content(body, rec.files)
        message = self._new_message(state.channel_id, self.bot_user, body, rec.files, interaction=state)
        state.followups.add(message["id"])
        self._record_sent("followup", message, body, state, rec.files)
        waits = rec.query.get("wait", "").lower() in ("1", "true")
        return (200, message) if waits else (204, None)

    async def _op_get_original_webhook_message(self, _rec: RecordedRequest, p: Mapping[str, str]) -> tuple[int, Any]:
        return 200, self._webhook_message(self._webhook_interaction(p), "@original")

    async def _op_get_webhook_message(self, _rec: RecordedRequest, p: Mapping[str, str]) -> tuple[int, Any]:
        return 200, self._webhook_message(self._webhook_interaction(p), p["message_id"])

    async def _op_update_original_webhook_message(self, rec: RecordedRequest, p: Mapping[str, str]) -> tuple[int, Any]:
        return await self._edit_webhook_message(rec, p, "@original", "edit_original")

    async def _op_update_webhook_message(self, rec: RecordedRequest, p: Mapping[str, str]) -> tuple[int, Any]:
        return await self._edit_webhook_message(rec, p, p["message_id"], "edit_followup")

    async def _edit_webhook_message(self, rec: RecordedRequest, p: Mapping[str, str], which: str,
                                    kind: str) -> tuple[int, Any]:
        state = self._webhook_interaction(p)
        existing = self._webhook_message(state, which)
        message = self._edit_message(existing["id"], rec.json or {}, rec.files)
        self._record_sent(kind, message, rec.json or {}, state, rec.files)
        return 200, message

    async def _op_delete_original_webhook_message(self, _rec: RecordedRequest, p: Mapping[str, str]) -> tuple[int, Any]:
        state = self._webhook_interaction(p)
        del self.messages[self._webhook_message(state, "@original")["id"]]
        return 204, None

    async def _op_delete_webhook_message(self, _rec: RecordedRequest, p: Mapping[str, str]) -> tuple[int, Any]:
        state = self._webhook_interaction(p)
        del self.messages[self._webhook_message(state, p["message_id"])["id"]]
        state.followups.discard(p["message_id"])
        return 204, None

    def _channel(self, channel_id: str) -> dict[str, Any]:
        channel = self.channels.get(channel_id)
        if channel is None:
            raise _DiscordHTTPError(404, 10003, "Unknown Channel")
        return channel

    async def _op_get_channel(self, _rec: RecordedRequest, p: Mapping[str, str]) -> tuple[int, Any]:
        return 200, self._channel(p["channel_id"])

    async def _op_trigger_typing_indicator(self, _rec: RecordedRequest, p: Mapping[str, str]) -> tuple[int, Any]:
        self._channel(p["channel_id"])
        return 204, None

    async def _op_create_message(self, rec: RecordedRequest, p: Mapping[str, str]) -> tuple[int, Any]:
        channel = self._channel(p["channel_id"])
        self._check_bot_may_post(channel)
        body = rec.json or {}
        self._require_content(body, rec.files)
        message = self._new_message(channel["id"], self.bot_user, body, rec.files)
        self._record_sent("channel_message", message, body, None, rec.files)
        # Discord echoes the bot's own messages back over the gateway.
        await self.dispatch("MESSAGE_CREATE", self._gateway_message(message))
        return 200, message

    async def _op_get_message(self, _rec: RecordedRequest, p: Mapping[str, str]) -> tuple[int, Any]:
        return 200, self._channel_message(p)

    async def _op_update_message(self, rec: RecordedRequest, p: Mapping[str, str]) -> tuple[int, Any]:
        existing = self._channel_message(p)
        if existing["author"]["id"] != self.bot_user["id"]:
            raise _DiscordHTTPError(403, 50005, "Cannot edit a message authored by another user")
        message = self._edit_message(existing["id"], rec.json or {}, rec.files)
        self._record_sent("edit_message", message, rec.json or {}, None, rec.files)
        await self.dispatch("MESSAGE_UPDATE", self._gateway_message(message))
        return 200, message

    async def _op_delete_message(self, _rec: RecordedRequest, p: Mapping[str, str]) -> tuple[int, Any]:
        message = self._channel_message(p)
        del self.messages[message["id"]]
        event = {"id": message["id"], "channel_id": message["channel_id"]}
        if self.channels[message["channel_id"]].get("guild_id"):
            event["guild_id"] = self.guild_id
        await self.dispatch("MESSAGE_DELETE", event)
        return 204, None

    def _channel_message(self, p: Mapping[str, str]) -> dict[str, Any]:
        self._channel(p["channel_id"])
        message = self.messages.get(p["message_id"])
        if message is None or str(message["channel_id"]) != p["channel_id"]:
            raise _DiscordHTTPError(404, 10008, "Unknown Message")
        return message

    async def _op_create_dm(self, rec: RecordedRequest, _p: Mapping[str, str]) -> tuple[int, Any]:
        user = self.users.get(str((rec.json or {}).get("recipient_id")))
        if user is None or user.get("bot"):
            raise _DiscordHTTPError(400, 50033, "Invalid Recipient(s)")
        return 200, self.dm_channel_for(user)

    @staticmethod
    def _require_content(body: Mapping[str, Any], files: Sequence[RecordedFile]) -> None:
        keys = ("content", "embeds", "components", "sticker_ids", "poll")
        if not files and not any(body.get(k) for k in keys):
            raise _DiscordHTTPError(400, 50006, "Cannot send an empty message")

    # ------------------------------------------------------------ messages
    def _new_message(self, channel_id: str, author: Mapping[str, Any], body: Mapping[str, Any],
                     files: Sequence[RecordedFile], *, interaction: _Interaction | None = None) -> dict[str, Any]:
        message: dict[str, Any] = {
            "id": self._ids.new(), "channel_id": channel_id, "author": dict(author), "type": 0, "content": "",
            "mentions": [], "mention_roles": [], "mention_everyone": False, "attachments": [], "embeds": [],
            "components": [], "timestamp": _iso(), "edited_timestamp": None, "flags": 0, "tts": False,
            "pinned": False,
        }
        if interaction is not None:
            message.update(self._interaction_message_fields(interaction))
        self._apply_body(message, body, files, creating=True)
        self.messages[message["id"]] = message
        return message

    def _interaction_message_fields(self, state: _Interaction) -> dict[str, Any]:
        user = state.payload.get("member", {}).get("user") or state.payload.get("user")
        metadata: dict[str, Any] = {
            "id": state.id, "type": state.type, "user": user,
            "authorizing_integration_owners": state.payload["authorizing_integration_owners"],
        }
        if state.type == IT_COMPONENT:
            metadata["interacted_message_id"] = str(state.payload["message"]["id"])
        return {
            "type": 20 if state.type == IT_COMMAND else 19 if state.type == IT_COMPONENT else 0,
            "webhook_id": self.application_id, "application_id": self.application_id,
            "interaction_metadata": metadata,
        }

    def _edit_message(self, message_id: str, body: Mapping[str, Any], files: Sequence[RecordedFile]) -> dict[str, Any]:
        message = self.messages.get(message_id)
        if message is None:
            raise _DiscordHTTPError(404, 10008, "Unknown Message")
        message["flags"] = int(message["flags"]) & ~LOADING
        self._apply_body(message, body, files, creating=False)
        message["edited_timestamp"] = _iso()
        return message

    def _apply_body(self, message: dict[str, Any], body: Mapping[str, Any], files: Sequence[RecordedFile],
                    *, creating: bool) -> None:
        if "content" in body:
            message["content"] = body["content"] or ""
            message["mentions"] = [self.users[u] for u in _MENTION.findall(message["content"]) if u in self.users]
        if "embeds" in body:
            message["embeds"] = [_embed_reply(e) for e in body["embeds"] or []]
        if "components" in body:
            message["components"] = _components_reply(body["components"] or [], self._component_ids)
        if "flags" in body and body["flags"] is not None:
            settable = _SETTABLE_FLAGS if creating else _SETTABLE_FLAGS & ~EPHEMERAL
            message["flags"] = (int(message["flags"]) & ~settable) | (int(body["flags"]) & settable)
        if creating and body.get("tts"):
            message["tts"] = True
        if files or "attachments" in body:
            message["attachments"] = self._attachments_reply(message, body, files)

    def _attachments_reply(self, message: Mapping[str, Any], body: Mapping[str, Any],
                           files: Sequence[RecordedFile]) -> list[dict[str, Any]]:
        kept = {str(a["id"]): a for a in message.get("attachments", [])}
        meta = {str(a.get("id")): a for a in body.get("attachments") or []}
        result = [kept[i] for i in meta if i in kept]
        for index, upload in enumerate(files):
            described = meta.get(str(index), {})
            name = described.get("filename") or upload.filename
            result.append(self.host_file(UploadedFile(name, upload.data, upload.content_type),
                                         description=described.get("description")))
        return result

    def host_file(self, upload: UploadedFile, *, description: str | None = None) -> dict[str, Any]:
        """Serve ``upload`` from the stand-in; returns its Discord attachment object."""
        attachment_id = self._ids.new()
        self._attachments[attachment_id] = upload
        url = f"http://127.0.0.1:{self.port}/attachments/{attachment_id}/{upload.filename}"
        attachment: dict[str, Any] = {
            "id": attachment_id, "filename": upload.filename, "size": len(upload.data), "url": url,
            "proxy_url": url, "content_type": upload.content_type,
        }
        if description:
            attachment["description"] = description
        return attachment

    def _record_sent(self, kind: str, message: dict[str, Any], body: Mapping[str, Any],
                     state: _Interaction | None, files: Sequence[RecordedFile]) -> None:
        snapshot = json.loads(json.dumps(message))  # later edits must not rewrite history
        self.sent_messages.append(SentMessage(kind, snapshot, dict(body), state.id if state else None, list(files)))

    def _gateway_message(self, message: Mapping[str, Any]) -> dict[str, Any]:
        event = dict(message)
        channel = self.channels.get(str(message["channel_id"]), {})
        if channel.get("guild_id"):
            event["guild_id"] = channel["guild_id"]
            if "webhook_id" not in message:  # webhook (interaction) messages carry no member
                member = self._member_payload(message["author"], [], None, include_permissions=False)
                event["member"] = {k: v for k, v in member.items() if k != "user"}
        return event

    async def wait_for_message(
        self,
        predicate: Callable[[SentMessage], bool] | None = None,
        *,
        contains: str | None = None,
        channel_id: str | None = None,
        kind: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        start: int = 0,
    ) -> SentMessage:
        """Wait until the bot has sent (or edited) a message matching every given condition."""

        def wanted(m: SentMessage) -> bool:
            if contains is not None and contains not in m.text:
                return False
            if (channel_id is not None and m.channel_id != str(channel_id)) or (kind is not None and m.kind != kind):
                return False
            return predicate is None or predicate(m)

        parts = [f"{k}={v!r}" for k, v in (("contains", contains), ("channel_id", channel_id), ("kind", kind)) if v]
        return await self.sent_messages.wait_for(wanted, timeout=timeout, start=start, description=" ".join(parts))

    async def wait_for_request(
        self, operation_id: str, predicate: Callable[[RecordedRequest], bool] | None = None, *,
        timeout: float = DEFAULT_TIMEOUT, start: int = 0,
    ) -> RecordedRequest:
        """Wait until the bot has made a REST call of ``operation_id`` (matching ``predicate``)."""

        def wanted(r: RecordedRequest) -> bool:
            return r.operation_id == operation_id and (predicate is None or predicate(r))

        return await self.requests.wait_for(wanted, timeout=timeout, start=start, description=f"[{operation_id}]")

    async def wait_for_sync(self, *, guild_id: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> CommandSync:
        """Wait until the bot has synced its global (or one guild's) commands."""
        return await self.command_syncs.wait_for(lambda s: s.guild_id == guild_id, timeout=timeout,
                                                 description=f"for {guild_id or 'global'} commands")

    # ------------------------------------------------------------ injection
    def _find_command(self, name: str, kind: int, *, in_guild: bool) -> dict[str, Any]:
        scopes = [self.guild_id, None] if in_guild else [None]
        for scope in scopes:
            for command in self.synced_commands.get(scope, []):
                if command["name"] == name and command["type"] == kind:
                    return command
        synced = {scope or "global": [c["name"] for c in cmds] for scope, cmds in self.synced_commands.items()}
        where = "this guild or globally" if in_guild else "globally (guild commands are not usable in DMs)"
        raise CommandNotSynced(f"command {name!r} (type {kind}) was not synced {where}; synced: {synced}")

    def _check_visible(self, command: Mapping[str, Any], *, in_dm: bool, permissions: int) -> None:
        contexts = command.get("contexts")
        context = 1 if in_dm else 0
        if contexts is not None and context not in contexts:
            raise CommandNotAvailable(f"/{command['name']} is not offered in context {context} (contexts {contexts})")
        if contexts is None and in_dm and command.get("dm_permission") is False:
            raise CommandNotAvailable(f"/{command['name']} is not offered in DMs (dm_permission false)")
        required = command.get("default_member_permissions")
        if not in_dm and required is not None and not permissions & ADMINISTRATOR:
            if int(required) & permissions != int(required):
                raise CommandNotAvailable(
                    f"/{command['name']} needs permissions {int(required):#x}; the member has {permissions:#x}"
                )

    def _interaction_payload(self, kind: int, data: dict[str, Any], *, user: Mapping[str, Any] | None,
                             in_dm: bool, permissions: int | None, roles: Sequence[str],
                             channel_id: str | None = None) -> dict[str, Any]:
        user = dict(user or self.default_user)
        payload: dict[str, Any] = {
            "id": self._ids.new(), "application_id": self.application_id, "type": kind, "data": data,
            "token": "standin-" + secrets.token_urlsafe(48), "version": 1, "locale": "en-US",
            "entitlements": [], "attachment_size_limit": 10 * 1024 * 1024,
            "app_permissions": str(MEMBER_PERMISSIONS),
        }
        if in_dm:
            channel = self.dm_channel_for(user)
            payload.update({"user": user, "channel_id": channel["id"], "channel": dict(channel), "context": 1,
                            "authorizing_integration_owners": {"0": "0"}})
            return payload
        channel = self._channel(channel_id or self.channel_id)
        member = self._member_payload(user, roles, permissions)
        payload["app_permissions"] = str(MEMBER_PERMISSIONS & ~self.bot_denied.get(channel["id"], 0))
        payload.update({
            "guild_id": self.guild_id, "guild": {"id": self.guild_id, "locale": "en-US", "features": []},
            "guild_locale": "en-US", "channel_id": channel["id"],
            "channel": {**channel, "permissions": member["permissions"]},
            "member": member, "context": 0, "authorizing_integration_owners": {"0": self.guild_id},
        })
        return payload

    async def _inject(self, payload: dict[str, Any]) -> InjectedInteraction:
        await self.wait_until_connected()
        state = _Interaction(payload["id"], payload["token"], payload["type"], payload["channel_id"],
                             asyncio.get_running_loop().time(), payload)
        self._interactions[state.id] = state
        await self.dispatch("INTERACTION_CREATE", payload)
        return InjectedInteraction(self, state.id, state.token, payload)

    async def send_slash_command(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: Mapping[str, Any] | None = None,
        in_dm: bool = False,
        permissions: int | None = None,
        roles: Sequence[str] = (),
        channel_id: str | None = None,
        force: bool = False,
    ) -> InjectedInteraction:
        """Invoke a synced chat-input command as a user would; ``name`` may be ``"group sub"``.

        ``options`` maps option names to values (typed per the synced command). ``permissions``
        (default: the member's role permissions) and ``roles`` describe the invoking member.
        Raises CommandNotSynced / CommandNotAvailable like Discord's client would refuse;
        ``force=True`` sends it anyway (an admin override), to test the bot's own checks.
        """
        return await self._command(name, options or {}, None, user=user, in_dm=in_dm, permissions=permissions,
                                   roles=roles, channel_id=channel_id, force=force)

    async def send_dm_slash_command(self, name: str, options: Mapping[str, Any] | None = None,
                                    **kwargs: Any) -> InjectedInteraction:
        """:meth:`send_slash_command` in the user's DM with the bot (context 1)."""
        return await self.send_slash_command(name, options, in_dm=True, **kwargs)

    async def send_autocomplete(
        self, name: str, options: Mapping[str, Any], focused: str, **kwargs: Any
    ) -> InjectedInteraction:
        """An autocomplete request (type 4) while the user types into option ``focused``.

        The focused option must have ``autocomplete`` enabled in the synced command.
        """
        return await self._command(name, options, focused, **kwargs)

    async def _command(self, name: str, options: Mapping[str, Any], focused: str | None, *,
                       user: Mapping[str, Any] | None = None, in_dm: bool = False, permissions: int | None = None,
                       roles: Sequence[str] = (), channel_id: str | None = None,
                       force: bool = False) -> InjectedInteraction:
        root, *path = name.split()
        command = self._find_command(root, 1, in_guild=not in_dm)
        perms = self.member_permissions(roles) if permissions is None else permissions
        if not force:
            self._check_visible(command, in_dm=in_dm, permissions=perms)
        data: dict[str, Any] = {"id": command["id"], "name": root, "type": 1}
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        resolved: dict[str, dict[str, Any]] = {}
        data["options"] = self._options(command, path, options, focused, resolved, in_dm=in_dm)
        if resolved:
            data["resolved"] = resolved
        kind = IT_AUTOCOMPLETE if focused is not None else IT_COMMAND
        payload = self._interaction_payload(kind, data, user=user, in_dm=in_dm, permissions=permissions,
                                            roles=roles, channel_id=channel_id)
        return await self._inject(payload)

    def _options(self, command: Mapping[str, Any], path: Sequence[str], values: Mapping[str, Any],
                 focused: str | None, resolved: dict[str, dict[str, Any]], *, in_dm: bool) -> list[dict[str, Any]]:
        """Option payloads for ``values``, nested under the subcommand ``path``."""
        defs: Sequence[Mapping[str, Any]] = command.get("options") or []
        if path:
            sub = _find_command_option(defs, path[0], command["name"])
            if sub["type"] not in (1, 2):
                raise StandinError(f"/{command['name']} {path[0]} is not a subcommand")
            inner = self._options({**sub, "name": f"{command['name']} {path[0]}"}, path[1:], values, focused,
                                  resolved, in_dm=in_dm)
            return [{"name": path[0], "type": sub["type"], "options": inner}]
        built = []
        for key, value in values.items():
            spec = _find_command_option(defs, key, command["name"])
            built.append(self._option(command["name"], spec, value, key == focused, resolved, in_dm=in_dm))
        missing = [o["name"] for o in defs if o.get("required") and o["name"] not in values]
        if missing and focused is None:
            raise StandinError(f"/{command['name']} requires options {missing}")
        return built

    def _option(self, command: str, spec: Mapping[str, Any], value: Any, focused: bool,
                resolved: dict[str, dict[str, Any]], *, in_dm: bool) -> dict[str, Any]:
        kind = int(spec["type"])
        if focused:
            if not spec.get("autocomplete"):
                raise StandinError(f"/{command} option {spec['name']!r} has no autocomplete")
            return {"name": spec["name"], "type": kind, "value": str(value), "focused": True}
        expected = _OPTION_PYTYPES.get(kind)
        if expected and (not isinstance(value, expected) or (kind != 5 and isinstance(value, bool))):
            raise StandinError(f"/{command} option {spec['name']!r} (type {kind}) cannot take {value!r}")
        choices = [c["value"] for c in spec.get("choices") or []]
        if choices and value not in choices:
            raise StandinError(f"/{command} option {spec['name']!r} must be one of {choices}, not {value!r}")
        if kind in (6, 7, 8, 9, 11):
            value = self._resolve_option(kind, value, resolved, in_dm=in_dm)
        return {"name": spec["name"], "type": kind, "value": value}

    def _resolve_option(self, kind: int, value: Any, resolved: dict[str, dict[str, Any]], *, in_dm: bool) -> str:
        """Fill ``resolved`` for a user/channel/role/mentionable/attachment option; returns the id."""
        if kind == 11:
            upload = value if isinstance(value, UploadedFile) else UploadedFile(*value)
            attachment = self.host_file(upload)
            resolved.setdefault("attachments", {})[attachment["id"]] = attachment
            return attachment["id"]
        key = str(value["id"] if isinstance(value, Mapping) else value)
        if kind in (6, 9) and key in self.users:
            resolved.setdefault("users", {})[key] = self.users[key]
            if not in_dm:
                member = self._member_payload(self.users[key], [], None)
                resolved.setdefault("members", {})[key] = {k: v for k, v in member.items() if k != "user"}
        elif kind in (8, 9) and key in self.roles:
            resolved.setdefault("roles", {})[key] = self.roles[key]
        elif kind == 7 and key in self.channels:
            channel = self.channels[key]
            resolved.setdefault("channels", {})[key] = {
                "id": key, "type": channel["type"], "name": channel.get("name", ""),
                "permissions": str(MEMBER_PERMISSIONS), "flags": 0,
            }
        else:
            raise StandinError(f"option value {key} is not a known user/role/channel of the stand-in")
        return key

    async def send_message_command(
        self,
        name: str,
        target: SentMessage | Mapping[str, Any] | str,
        *,
        user: Mapping[str, Any] | None = None,
        permissions: int | None = None,
        roles: Sequence[str] = (),
        force: bool = False,
    ) -> InjectedInteraction:
        """Run a synced message context-menu command (type 3) on ``target`` in the guild channel.

        ``target`` is a message object (e.g. ``SentMessage.message``) or text, which becomes a
        message posted by ``user`` in the guild channel.
        """
        command = self._find_command(name, 3, in_guild=True)
        perms = self.member_permissions(roles) if permissions is None else permissions
        if not force:
            self._check_visible(command, in_dm=False, permissions=perms)
        author = dict(user or self.default_user)
        if isinstance(target, SentMessage):
            target = target.message
        if isinstance(target, str):
            target = self._new_message(self.channel_id, author, {"content": target}, [])
        message = self._gateway_message(target)
        data: dict[str, Any] = {"id": command["id"], "name": name, "type": 3, "target_id": str(target["id"]),
                                "resolved": {"messages": {str(target["id"]): message}}}
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        payload = self._interaction_payload(IT_COMMAND, data, user=user, in_dm=False, permissions=permissions,
                                            roles=roles, channel_id=str(target["channel_id"]))
        return await self._inject(payload)

    async def send_button_press(self, custom_id: str, *, message: SentMessage | Mapping[str, Any] | None = None,
                                user: Mapping[str, Any] | None = None, permissions: int | None = None,
                                roles: Sequence[str] = ()) -> InjectedInteraction:
        """Click the button ``custom_id`` on ``message`` (default: the latest bot message showing it).

        Fails loudly if no message of the bot shows that button, or if it is disabled.
        """
        return await self._component(custom_id, None, message, user=user, permissions=permissions, roles=roles)

    async def send_select(self, custom_id: str, values: Sequence[str], *,
                          message: SentMessage | Mapping[str, Any] | None = None, **kwargs: Any) -> InjectedInteraction:
        """Choose ``values`` in the select menu ``custom_id`` (see :meth:`send_button_press`)."""
        return await self._component(custom_id, list(values), message, **kwargs)

    async def _component(self, custom_id: str, values: list[str] | None,
                         message: SentMessage | Mapping[str, Any] | None, *, user: Mapping[str, Any] | None = None,
                         permissions: int | None = None, roles: Sequence[str] = ()) -> InjectedInteraction:
        current = self._message_showing(custom_id, message)
        component = next(c for c in _walk_components(current["components"]) if c.get("custom_id") == custom_id)
        if component.get("disabled"):
            raise StandinError(f"component {custom_id!r} is disabled: a user cannot use it")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
        if values is not None:
            data["values"] = values
        channel = self.channels[str(current["channel_id"])]
        payload = self._interaction_payload(IT_COMPONENT, data, user=user, in_dm=channel["type"] == 1,
                                            permissions=permissions, roles=roles, channel_id=channel["id"])
        payload["message"] = self._gateway_message(current)
        return await self._inject(payload)

    def _message_showing(self, custom_id: str, message: SentMessage | Mapping[str, Any] | None) -> dict[str, Any]:
        """The current state of the message carrying component ``custom_id``."""
        if message is not None:
            message_id = message.id if isinstance(message, SentMessage) else str(message["id"])
            candidates = [self.messages[message_id]] if message_id in self.messages else []
        else:
            candidates = [m for m in reversed(list(self.messages.values())) if m["author"]["id"] == self.bot_user["id"]]
        for candidate in candidates:
            if any(c.get("custom_id") == custom_id for c in _walk_components(candidate.get("components", []))):
                return candidate
        raise StandinError(f"no message of the bot shows a component with custom_id {custom_id!r}")

    async def send_dm_message(self, content: str, *, user: Mapping[str, Any] | None = None,
                              attachments: Sequence[UploadedFile] = ()) -> InjectedMessage:
        """A user writes to the bot in DMs (MESSAGE_CREATE without guild_id)."""
        await self.wait_until_connected()
        author = dict(user or self.default_user)
        channel = self.dm_channel_for(author)
        return await self._user_message(channel["id"], author, content, attachments)

    async def send_guild_message(
        self, content: str, *, user: Mapping[str, Any] | None = None, mention_bot: bool = False,
        attachments: Sequence[UploadedFile] = (),
    ) -> InjectedMessage:
        """A user posts in the guild channel (content blank for the bot without MESSAGE_CONTENT)."""
        await self.wait_until_connected()
        author = dict(user or self.default_user)
        if mention_bot:
            content = f"<@{self.bot_user['id']}> {content}"
        return await self._user_message(self.channel_id, author, content, attachments)

    async def _user_message(self, channel_id: str, author: Mapping[str, Any], content: str,
                            attachments: Sequence[UploadedFile]) -> InjectedMessage:
        message = self._new_message(channel_id, author, {"content": content}, [])
        message["attachments"] = [self.host_file(upload) for upload in attachments]
        delivered = await self.dispatch("MESSAGE_CREATE", self._gateway_message(message))
        return InjectedMessage(message, delivered)
