"""The API reference at /api/v1/docs: the platform's OpenAPI document drawn as an ordinary portal page.

Server-rendered from ``api.get_openapi_schema()`` — no script, no CDN, so it works on a closed government network and
passes the same accessibility checks as every other page (the Swagger UI and ReDoc bundles did not: nested
interactive controls, low-contrast text, unlabeled selects). Machines read the same document at
/api/v1/openapi.json; a developer who wants to try calls points any OpenAPI client at that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from smartcity.lib import collation

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class Parameter:
    name: str
    where: str
    type: str
    required: bool
    description: str = ""


@dataclass
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    parameters: list[Parameter]
    body: str
    responses: list[tuple[str, str, str]]  # status, description, type


@dataclass
class Section:
    tag: str
    operations: list[Operation] = field(default_factory=list)


@dataclass
class Model:
    name: str
    description: str
    properties: list[Parameter]


def describe(schema: dict[str, Any] | None) -> str:
    """A schema in a few words: ``string (≤ 64)``, ``AgencyOut[]``, ``one of: committee, department``."""
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            kinds = [describe(s) for s in schema[key] if s.get("type") != "null"]
            nullable = any(s.get("type") == "null" for s in schema[key])
            return " | ".join(kinds) + (" | null" if nullable else "")
    if "enum" in schema:
        return "một trong: " + ", ".join(str(v) for v in schema["enum"])
    kind = schema.get("type", "object")
    if kind == "array":
        return describe(schema.get("items")) + "[]"
    limits = []
    if "maxLength" in schema:
        limits.append(f"≤ {schema['maxLength']} ký tự")
    if "minimum" in schema or "maximum" in schema:
        limits.append(f"{schema.get('minimum', '')}…{schema.get('maximum', '')}")
    fmt = f" ({schema['format']})" if "format" in schema else ""
    return f"{kind}{fmt}" + (f" ({', '.join(limits)})" if limits else "")


def _body(operation: dict[str, Any]) -> str:
    content = (operation.get("requestBody") or {}).get("content") or {}
    return "; ".join(f"{media}: {describe(spec.get('schema'))}" for media, spec in content.items())


@lru_cache(maxsize=1)
def reference() -> tuple[list[Section], list[Model], dict[str, Any]]:
    """The document's operations grouped by tag (in Vietnamese order) and its models; made once per process."""
    from smartcity.api import api  # the top-level API module imports every app's router

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    sections: dict[str, Section] = {}
    for path, item in schema["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            tag = (op.get("tags") or ["khác"])[0]
            parameters = [Parameter(p["name"], p["in"], describe(p.get("schema")), bool(p.get("required")),
                                    p.get("description", "")) for p in op.get("parameters", [])]
            responses = [(status, r.get("description", ""),
                          "; ".join(describe(c.get("schema")) for c in (r.get("content") or {}).values()))
                         for status, r in sorted(op.get("responses", {}).items())]
            sections.setdefault(tag, Section(tag)).operations.append(Operation(
                method=method.upper(), path=path, anchor=op.get("operationId") or f"{method}-{path}",
                summary=op.get("summary", ""), description=op.get("description", ""), parameters=parameters,
                body=_body(op), responses=responses))
    models = []
    for name, spec in collation.sort(schema.get("components", {}).get("schemas", {}).items(), by=lambda i: i[0]):
        required = set(spec.get("required", []))
        models.append(Model(name, spec.get("description", ""), [
            Parameter(prop, "", describe(sub), prop in required, sub.get("description", ""))
            for prop, sub in (spec.get("properties") or {}).items()]))
    ordered = collation.sort(sections.values(), by=lambda s: s.tag)
    return ordered, models, schema["info"]


def api_docs(request: HttpRequest) -> HttpResponse:
    sections, models, info = reference()
    return render(request, "portal/api_docs.html", {"sections": sections, "models": models, "info": info})
