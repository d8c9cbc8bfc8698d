"""How a client authenticates, as content: once per API (the schemes) and per operation.

Every security scheme the spec declares — apiKey in a header, query or cookie, HTTP basic
and bearer, OAuth2 flows and their scopes, OpenID Connect, mutual TLS; Swagger 1.2
``authorizations`` arrive normalized to the same :class:`~sphinx_apidocs.spec.model.SecurityScheme`
— is written as a row of the API's "Authentication" table, and each operation says which of
them it needs (alternatives joined by "or", schemes needed together by "and"), with the
scopes. Spec text stays data: names and URLs are literals, descriptions go through the
caller's ``describe`` (the one markup path of :mod:`compose`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from sphinx_apidocs.spec.model import ApiSpec, OAuthFlow, Operation, SecurityRequirement, SecurityScheme
from sphinx_apidocs.sphinxext.content import Block, BulletList, Cell, Code, Field, Inline, Paragraph, Rubric, Table, Text

_FLOW_NAMES = {
    "implicit": "Implicit",
    "password": "Password",
    "clientCredentials": "Client credentials",
    "authorizationCode": "Authorization code",
}


def scheme_kind(scheme: SecurityScheme) -> str:
    """``API key``, ``HTTP bearer``, ``OAuth 2.0``...: what kind of credential it takes."""
    if scheme.type == "apiKey":
        return "API key"
    if scheme.type == "http":
        name = (scheme.scheme or "").lower()
        return {"basic": "HTTP basic", "bearer": "HTTP bearer"}.get(name, f"HTTP {scheme.scheme}".strip())
    if scheme.type == "oauth2":
        return "OAuth 2.0"
    if scheme.type == "openIdConnect":
        return "OpenID Connect"
    if scheme.type == "mutualTLS":
        return "Mutual TLS"
    return scheme.type


def _runs(*parts: Inline | str) -> tuple[Inline, ...]:
    return tuple(Text(part) if isinstance(part, str) else part for part in parts)


def scheme_details(scheme: SecurityScheme) -> Cell:
    """Where the credential goes: the header/parameter/cookie, or the OAuth flows and URLs."""
    if scheme.type == "apiKey":
        where = {"header": "header", "query": "query parameter", "cookie": "cookie"}.get(scheme.location, scheme.location)
        return (Paragraph(_runs(f"In the {where} " if where else "As ", Code(scheme.param_name or "?"))),)
    if scheme.type == "http":
        name = (scheme.scheme or "").lower()
        if name == "bearer":
            runs = _runs("Header ", Code("Authorization: Bearer <token>"))
            if scheme.bearer_format:
                runs += _runs(" (", Code(scheme.bearer_format), ")")
            return (Paragraph(runs),)
        if name == "basic":
            return (Paragraph(_runs("Header ", Code("Authorization: Basic <base64(user:password)>"))),)
        return (Paragraph(_runs("Header ", Code(f"Authorization: {scheme.scheme} <credentials>"))),)
    if scheme.type == "oauth2":
        return tuple(block for flow in scheme.flows for block in flow_blocks(flow))
    if scheme.type == "openIdConnect" and scheme.open_id_connect_url:
        return (Paragraph(_runs("Discovery ", Code(scheme.open_id_connect_url))),)
    return ()


def flow_blocks(flow: OAuthFlow) -> tuple[Block, ...]:
    """``Authorization code flow: authorization URL …, token URL …``, then its scopes as a list."""
    runs: list[Inline] = [Text(_FLOW_NAMES.get(flow.kind, flow.kind or "OAuth 2.0") + " flow")]
    urls = [("authorization URL", flow.authorization_url), ("token URL", flow.token_url), ("refresh URL", flow.refresh_url)]
    first = True
    for label, url in urls:
        if url:
            runs += _runs(": " if first else ", ", f"{label} ", Code(url))
            first = False
    if flow.scopes:
        runs.append(Text("; scopes:"))
    blocks: list[Block] = [Paragraph(tuple(runs))]
    if flow.scopes:
        blocks.append(BulletList(tuple(
            (Paragraph((Code(scope), *((Text(f": {description}"),) if description else ()))),)
            for scope, description in flow.scopes
        )))
    return tuple(blocks)


def schemes_section(spec: ApiSpec, describe: Callable[[str], Cell]) -> list[Block]:
    """The API's "Authentication" rubric and table of schemes (nothing when none is declared)."""
    if not spec.security_schemes:
        return []
    rows = []
    for name, scheme in spec.security_schemes.items():
        rows.append((
            (Paragraph((Code(name),)),),
            (Paragraph((Text(scheme_kind(scheme)),)),),
            scheme_details(scheme),
            describe(scheme.description),
        ))
    blocks: list[Block] = [Rubric("Authentication", ("api-rubric", "api-auth"))]
    if spec.security:
        blocks.append(Paragraph((Text("Unless an operation says otherwise: "), *requirement_runs(spec.security, spec.security_schemes)), ("api-auth-default",)))
    blocks.append(Table(("Scheme", "Type", "How to send it", "Description"), tuple(rows), (18, 14, 38, 30), ("api-table", "api-auth")))
    return blocks


def requirement_runs(requirements: Sequence[SecurityRequirement], schemes: Mapping[str, SecurityScheme]) -> tuple[Inline, ...]:
    """``bearerAuth (HTTP bearer) or apiKey (API key) and oauth2 (OAuth 2.0) with scopes a, b``;
    ``none`` for no requirement; an empty alternative reads "no authentication"."""
    if not requirements:
        return (Text("none"),)
    runs: list[Inline] = []
    for index, requirement in enumerate(requirements):
        if index:
            runs.append(Text(" or "))
        if not requirement.schemes:
            runs.append(Text("no authentication"))
            continue
        for position, (name, scopes) in enumerate(requirement.schemes):
            if position:
                runs.append(Text(" and "))
            runs.append(Code(name))
            scheme = schemes.get(name)
            runs.append(Text(f" ({scheme_kind(scheme)})" if scheme is not None else " (not declared in the spec)"))
            if scopes:
                runs.append(Text(" with scope " if len(scopes) == 1 else " with scopes "))
                for number, scope in enumerate(scopes):
                    if number:
                        runs.append(Text(", "))
                    runs.append(Code(scope))
    return tuple(runs)


def operation_field(op: Operation, spec: ApiSpec | None) -> Field | None:
    """The operation's "Authentication" fact; ``None`` when the API declares no scheme."""
    if spec is None or not spec.security_schemes and not op.security:
        return None
    return Field("Authentication", requirement_runs(op.security, spec.security_schemes))
