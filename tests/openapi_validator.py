"""Validate Discord REST traffic against Discord's official OpenAPI 3.1 spec.

The spec (``discord-api-spec/openapi.json``, API v10) is registered once per process in a
``referencing.Registry``; bodies are validated with ``jsonschema.Draft202012Validator`` against a
``$ref`` to the matched operation's schema, so the spec's internal refs resolve as written.

Deliberate departures from the raw spec, each mirroring what Discord really accepts:

* snowflakes may be JSON integers as well as strings (discord.py sends ``recipient_id`` and
  attachment ids as integers);
* boolean query parameters may be ``1``/``0`` (discord.py sends ``wait=1``);
* field errors inside a 400 reply may carry string codes (``"BASE_TYPE_MAX_LENGTH"``), as Discord
  really sends them, where the spec says integer;
* strict mode adds ``unevaluatedProperties: false`` to every object schema (the spec never forbids
  unknown keys, so misspelt keys would pass), except for the properties discord.py is known to
  send beyond the spec, listed in :data:`DISCORD_PY_EXTRAS`.

Union failures are reported through the branch whose ``type`` discriminator matches the instance,
e.g. ``embeds/0/description: maxLength=4096 (got 5000 characters)``.
"""

from __future__ import annotations

import functools
import json
import os
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import referencing
import referencing.jsonschema
from jsonschema.exceptions import ValidationError

__all__ = [
    "API_PREFIX",
    "DISCORD_PY_EXTRAS",
    "Operation",
    "OperationMatch",
    "OpenAPIValidator",
    "SpecViolation",
    "get_validator",
    "load_spec_text",
    "spec_path",
]

API_PREFIX = "/api/v10"
SPEC_ENV_VAR = "DISCORD_OPENAPI_SPEC"
SPEC_URI = "urn:discord-openapi-v10"
_HTTP_METHODS = frozenset({"get", "put", "post", "patch", "delete", "head", "options"})
_MAX_MESSAGES = 10

#: Properties discord.py 2.7 really sends that the spec does not list, per component schema.
#: Discord accepts (and ignores or honours) them, so strict mode must not flag them.
DISCORD_PY_EXTRAS: Mapping[str, Mapping[str, dict[str, Any]]] = {
    # Command.to_dict always sends "nsfw"; the spec only lists it on responses.
    "ApplicationCommandUpdateRequest": {"nsfw": {"type": ["boolean", "null"]}},
    # Embed.to_dict always includes the embed's "flags" (0 for embeds the bot builds).
    "RichEmbed": {"flags": {"type": ["integer", "null"]}},
    # Editing an interaction message goes through the same builder as sending: "tts" comes along.
    "IncomingWebhookUpdateRequestPartial": {"tts": {"type": ["boolean", "null"]}},
    "IncomingWebhookUpdateForInteractionCallbackRequestPartial": {"tts": {"type": ["boolean", "null"]}},
    "MessageEditRequestPartial": {"tts": {"type": ["boolean", "null"]}},
}

# Discord takes snowflakes as strings or integers; the spec only says string.
_RELAXED_SNOWFLAKE: dict[str, Any] = {
    "type": ["string", "integer"],
    "pattern": r"^(0|[1-9][0-9]*)$",
    "minimum": 0,
    "format": "snowflake",
}


def spec_path() -> Path:
    """Where the OpenAPI document lives: ``$DISCORD_OPENAPI_SPEC`` or the shared copy beside the
    project (absent from a fresh clone: see ``discord_routes``)."""
    override = os.environ.get(SPEC_ENV_VAR)
    if override:
        return Path(override)
    from shared_material import SPEC

    return SPEC


@functools.cache
def load_spec_text() -> str:
    """The spec's raw JSON text, read once per process."""
    return spec_path().read_text(encoding="utf-8")


@dataclass(frozen=True)
class SpecViolation:
    """One way a request (or a stand-in reply) disagrees with the spec.

    ``rejected`` says whether Discord itself would refuse the request (400 Invalid Form Body);
    strict-mode findings and unknown query parameters are recorded but accepted, as Discord does.
    """

    method: str
    path: str
    operation_id: str | None
    where: str
    message: str
    rejected: bool = True

    def __str__(self) -> str:
        op = self.operation_id or "no operation"
        return f"{self.method} {self.path} [{op}] {self.where}: {self.message}"


@dataclass(frozen=True)
class Operation:
    """One method on one path template of the spec."""

    method: str
    template: str
    operation_id: str
    pointer: str
    spec: Mapping[str, Any]
    #: (JSON pointer to the parameter's schema, parameter object), path-item level first.
    parameters: tuple[tuple[str, Mapping[str, Any]], ...]

    @property
    def requires_bot_token(self) -> bool:
        """True unless the spec allows the call without credentials (``security: [{}]``)."""
        security = self.spec.get("security")
        return bool(security) and {} not in security

    def json_body_pointer(self) -> str | None:
        """JSON pointer to the ``application/json`` request schema, if the operation has one."""
        content = self.spec.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            return f"{self.pointer}/requestBody/content/application~1json/schema"
        if "multipart/form-data" in content:
            return f"{self.pointer}/requestBody/content/multipart~1form-data/schema"
        return None

    @property
    def body_required(self) -> bool:
        """Whether the spec marks the request body as required."""
        return bool(self.spec.get("requestBody", {}).get("required"))


@dataclass(frozen=True)
class OperationMatch:
    """An operation matched to a concrete request path, with its path parameters."""

    operation: Operation
    path_params: Mapping[str, str] = field(default_factory=dict)


def _pointer_escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def _ref(pointer: str) -> str:
    # referencing unquotes fragments, and "{", "}" are not legal in a URI as they stand.
    return f"{SPEC_URI}#{urllib.parse.quote(pointer, safe='/~@')}"


def _walk_objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every dict inside a JSON document, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk_objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_objects(value)


def _prepare_spec(strict: bool, extras: Mapping[str, Mapping[str, dict[str, Any]]]) -> dict[str, Any]:
    """A private, adjusted copy of the spec (snowflakes relaxed; strict: unknown keys forbidden)."""
    spec: dict[str, Any] = json.loads(load_spec_text())
    schemas = spec["components"]["schemas"]
    schemas["SnowflakeType"] = dict(_RELAXED_SNOWFLAKE)
    schemas["Error"]["properties"]["code"]["type"] = ["integer", "string"]
    for name, props in extras.items():
        if name in schemas:
            schemas[name].setdefault("properties", {}).update(props)
    if strict:
        for node in _walk_objects(schemas):
            open_keys = ("additionalProperties", "unevaluatedProperties", "patternProperties", "allOf")
            if "properties" in node and not any(key in node for key in open_keys):
                node["unevaluatedProperties"] = False
    return spec


def _json_type(value: Any) -> str:
    names = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def _describe(error: ValidationError) -> str:
    """A one-line, path-first explanation of a leaf error."""
    path = "/".join(str(part) for part in error.absolute_path) or "(root)"
    keyword, expected, got = error.validator, error.validator_value, error.instance
    if keyword in ("maxLength", "minLength") and isinstance(got, str):
        detail = f"got {len(got)} characters"
    elif keyword in ("maxItems", "minItems") and isinstance(got, list):
        detail = f"got {len(got)} items"
    elif keyword == "required":
        missing = [key for key in expected if isinstance(got, dict) and key not in got]
        return f"{path}: required={missing!r} (missing)"
    elif keyword == "unevaluatedProperties":
        return f"{path}: unevaluatedProperties=false ({error.message})"
    elif keyword == "type":
        detail = f"got {_json_type(got)}"
    else:
        detail = f"got {json.dumps(got)[:80]}"
    return f"{path}: {keyword}={json.dumps(expected)[:120]} ({detail})"


def _wrong_json_type(error: ValidationError) -> bool:
    """True if the error rejects the instance itself for its JSON type (not a nested value)."""
    return error.validator == "type" and not error.relative_path


class _SchemaSet:
    """One adjusted copy of the spec in a registry, with cached validators per pointer."""

    def __init__(self, spec: dict[str, Any]) -> None:
        resource = referencing.Resource.from_contents(spec, default_specification=referencing.jsonschema.DRAFT202012)
        self.spec = spec
        self.registry: referencing.Registry = referencing.Registry().with_resource(SPEC_URI, resource)
        self._resolver = self.registry.resolver(base_uri=SPEC_URI)
        self._validators: dict[str, jsonschema.Draft202012Validator] = {}

    def validator(self, pointer: str) -> jsonschema.Draft202012Validator:
        """A validator for the schema at ``pointer`` (cached)."""
        found = self._validators.get(pointer)
        if found is None:
            found = jsonschema.Draft202012Validator({"$ref": _ref(pointer)}, registry=self.registry)
            self._validators[pointer] = found
        return found

    def errors(self, pointer: str, instance: Any) -> list[str]:
        """Readable messages for every way ``instance`` fails the schema at ``pointer``."""
        messages: list[str] = []
        for error in self.validator(pointer).iter_errors(instance):
            for leaf in self._leaves(error):
                text = _describe(leaf)
                if text not in messages:
                    messages.append(text)
        return messages[:_MAX_MESSAGES]

    def resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        """Follow ``$ref`` chains to the schema they point at."""
        while isinstance(schema, Mapping) and "$ref" in schema:
            schema = self._resolver.lookup(schema["$ref"]).contents
        return schema

    def _leaves(self, error: ValidationError) -> list[ValidationError]:
        """Descend through union failures into the branch the instance was meant for."""
        if error.validator not in ("oneOf", "anyOf") or not error.context:
            return [error]
        branches: dict[int, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(int(sub.schema_path[0]), []).append(sub)
        if len(branches) < len(error.validator_value):
            return [error]  # some branch passed: "valid under more than one", nothing to descend into
        chosen = self._pick_branch(error, branches)
        return [leaf for sub in branches[chosen] for leaf in self._leaves(sub)]

    def _pick_branch(self, error: ValidationError, branches: dict[int, list[ValidationError]]) -> int:
        """The branch whose ``type`` discriminator matches, else the closest plausible one."""
        instance = error.instance
        candidates = list(branches)
        if isinstance(instance, dict) and "type" in instance:
            matching = [i for i in candidates if self._discriminates(error.validator_value[i], instance["type"])]
            candidates = matching or candidates
        # A branch that rejects the instance's JSON type outright (e.g. the "null" arm) is noise.
        plausible = [i for i in candidates if not any(_wrong_json_type(e) for e in branches[i])]
        candidates = plausible or candidates
        return min(candidates, key=lambda i: len(branches[i]))

    def _discriminates(self, branch: Mapping[str, Any], value: Any) -> bool:
        schema = self.resolve(branch)
        prop = self.resolve(schema.get("properties", {}).get("type", {})) if isinstance(schema, Mapping) else {}
        if "const" in prop:
            return prop["const"] == value
        if "enum" in prop:
            return value in prop["enum"]
        return False


def _coerce_query(value: str, schema: Mapping[str, Any]) -> Any:
    """Turn a query string value into the JSON value its schema describes (1/0 are booleans)."""
    kind = schema.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind}
    lowered = value.lower()
    if "boolean" in kinds and lowered in ("true", "false", "1", "0"):
        return lowered in ("true", "1")
    if kinds & {"integer", "number"}:
        try:
            return int(value) if "integer" in kinds else float(value)
        except ValueError:
            return value
    return value


class OpenAPIValidator:
    """Matches requests to spec operations and validates their bodies, queries and replies."""

    def __init__(
        self, *, strict: bool = False, extras: Mapping[str, Mapping[str, dict[str, Any]]] = DISCORD_PY_EXTRAS
    ) -> None:
        """Load the spec (relaxed, plus a strict copy if ``strict``) and index its paths."""
        self.strict = strict
        self._relaxed = _SchemaSet(_prepare_spec(False, extras))
        self._strict = _SchemaSet(_prepare_spec(True, extras)) if strict else None
        self._by_length: dict[int, list[tuple[int, tuple[str, ...], str]]] = {}
        for template in self._relaxed.spec["paths"]:
            segments = tuple(template.strip("/").split("/"))
            literals = sum(1 for s in segments if not s.startswith("{"))
            self._by_length.setdefault(len(segments), []).append((literals, segments, template))
        for entries in self._by_length.values():
            entries.sort(key=lambda entry: -entry[0])  # more literal segments win

    # ----------------------------------------------------------------- matching
    def match(self, method: str, path: str) -> OperationMatch | None:
        """The operation for ``method path`` (path with or without ``/api/v10``), or None."""
        found = self.match_template(path)
        if found is None:
            return None
        template, params = found
        path_item = self._relaxed.spec["paths"][template]
        op = path_item.get(method.lower())
        if op is None:
            return None
        item_pointer = f"/paths/{_pointer_escape(template)}"
        pointer = f"{item_pointer}/{method.lower()}"
        parameters = tuple(
            (f"{base}/parameters/{index}/schema", param)
            for base, owner in ((item_pointer, path_item), (pointer, op))
            for index, param in enumerate(owner.get("parameters", ()))
        )
        operation = Operation(method.upper(), template, op["operationId"], pointer, op, parameters)
        return OperationMatch(operation, params)

    def match_template(self, path: str) -> tuple[str, dict[str, str]] | None:
        """The most literal path template matching ``path`` and its parameter values."""
        if path.startswith(API_PREFIX):
            path = path[len(API_PREFIX):]
        parts = tuple(path.strip("/").split("/"))
        for _, segments, template in self._by_length.get(len(parts), ()):
            params = self._bind(segments, parts)
            if params is not None:
                return template, params
        return None

    @staticmethod
    def _bind(segments: tuple[str, ...], parts: tuple[str, ...]) -> dict[str, str] | None:
        params: dict[str, str] = {}
        for segment, part in zip(segments, parts):
            if segment.startswith("{") and segment.endswith("}"):
                if not part:
                    return None
                params[segment[1:-1]] = part
            elif segment != part:
                return None
        return params

    def allowed_methods(self, path: str) -> list[str]:
        """Methods the spec defines for the template matching ``path``."""
        found = self.match_template(path)
        if found is None:
            return []
        return sorted(m.upper() for m in self._relaxed.spec["paths"][found[0]] if m in _HTTP_METHODS)

    # --------------------------------------------------------------- validation
    def check_request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        body: Any = None,
        has_body: bool | None = None,
    ) -> tuple[OperationMatch | None, list[SpecViolation]]:
        """Validate one request; returns the matched operation and every violation found.

        ``body`` is the parsed JSON body (for multipart: the parsed ``payload_json`` part);
        ``has_body`` says whether a body was sent at all (defaults to ``body is not None``).
        """
        method = method.upper()
        matched = self.match(method, path)
        if matched is None:
            allowed = self.allowed_methods(path)
            why = f"method not in spec (allowed: {', '.join(allowed)})" if allowed else "no such route in the spec"
            return None, [SpecViolation(method, path, None, "route", why)]
        op = matched.operation

        def violation(where: str, message: str, rejected: bool = True) -> SpecViolation:
            return SpecViolation(method, path, op.operation_id, where, message, rejected)

        found = [violation("path", m) for m in self._path_errors(matched)]
        found += [violation("query", m, rejected) for m, rejected in self._query_errors(op, query or {})]
        sent = body is not None if has_body is None else has_body
        found += [violation("body", m, rejected) for m, rejected in self._body_errors(op, body, sent)]
        return matched, found

    def check_response(self, matched: OperationMatch, status: int, body: Any) -> list[SpecViolation]:
        """Validate a reply (status and JSON body) against the operation's response schemas."""
        op = matched.operation
        responses = op.spec.get("responses", {})
        key = next((k for k in (str(status), f"{status // 100}XX", "default") if k in responses), None)

        def violation(message: str) -> SpecViolation:
            return SpecViolation(op.method, op.template, op.operation_id, f"response {status}", message)

        if key is None:
            return [violation(f"status not documented (documented: {', '.join(responses)})")]
        pointer = f"{op.pointer}/responses/{_pointer_escape(key)}"
        response = self._relaxed.resolve(responses[key])
        if "$ref" in responses[key]:
            pointer = urllib.parse.unquote(responses[key]["$ref"].lstrip("#"))
        content = response.get("content", {})
        if "application/json" not in content:
            return [] if body is None else [violation("documented without a body, but one was sent")]
        if body is None:
            return [violation("a JSON body is documented but none was sent")]
        schema_pointer = f"{pointer}/content/application~1json/schema"
        return [violation(m) for m in self._relaxed.errors(schema_pointer, body)]

    def validate(self, pointer: str, instance: Any, *, strict: bool = False) -> list[str]:
        """Readable errors of ``instance`` against the schema at a JSON pointer into the spec."""
        schemas = self._strict if strict and self._strict is not None else self._relaxed
        return schemas.errors(pointer, instance)

    def _path_errors(self, matched: OperationMatch) -> list[str]:
        errors: list[str] = []
        for pointer, param in matched.operation.parameters:
            if param.get("in") != "path" or param["name"] not in matched.path_params:
                continue
            value = matched.path_params[param["name"]]
            for message in self._check_value(pointer, value):
                errors.append(f"{{{param['name']}}}={value!r}: {message}")
        return errors

    def _query_errors(self, op: Operation, query: Mapping[str, str]) -> list[tuple[str, bool]]:
        specs = {p["name"]: (pointer, p) for pointer, p in op.parameters if p.get("in") == "query"}
        errors: list[tuple[str, bool]] = []
        for name, value in query.items():
            if name not in specs:
                # Discord ignores unknown parameters, so this is a bug in the caller, not a 400.
                errors.append((f"unknown query parameter {name!r} (known: {sorted(specs)})", False))
                continue
            errors += [(f"{name}={value!r}: {m}", True) for m in self._check_value(specs[name][0], value)]
        for name, (_, param) in specs.items():
            if param.get("required") and name not in query:
                errors.append((f"missing required query parameter {name!r}", True))
        return errors

    def _check_value(self, pointer: str, raw: str) -> list[str]:
        """Errors of a path or query string value against its parameter schema."""
        schema = self._relaxed.resolve(self._relaxed.resolve({"$ref": _ref(pointer)}))
        return [m.removeprefix("(root): ") for m in self._relaxed.errors(pointer, _coerce_query(raw, schema))]

    def _body_errors(self, op: Operation, body: Any, sent: bool) -> list[tuple[str, bool]]:
        pointer = op.json_body_pointer()
        if pointer is None:
            unexpected = sent and body not in (None, b"", "")
            return [("the operation takes no body, but one was sent", False)] if unexpected else []
        if not sent:
            return [("a request body is required", True)] if op.body_required else []
        errors = [(m, True) for m in self._relaxed.errors(pointer, body)]
        if self._strict is not None and not errors:
            errors = [(m, False) for m in self._strict.errors(pointer, body)]
        return errors


@functools.cache
def get_validator(*, strict: bool = True) -> OpenAPIValidator:
    """The process-wide validator (the spec is loaded and registered once per process)."""
    return OpenAPIValidator(strict=strict)
