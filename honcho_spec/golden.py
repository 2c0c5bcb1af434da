"""Golden cases: a request, the answer the contract expects, and the real server's answer.

Each case is one JSON file under ``fixtures/``. The request body is given as ``json`` (sent
compact), ``text`` (sent as UTF-8, byte for byte) or ``base64`` (any bytes); no body key
means no body. A ``token`` is minted at replay time from its ``claims`` with the secret the
case's ``settings`` give the server. ``real_server`` records where Honcho 2.5.1 itself
answers differently (a defect of the real server) and why. ``profile`` says who must give
the answer: ``contract``, any server that keeps the OpenAPI document (its status, and for a
422 the places its items name); ``honcho``, only Honcho 2.5.1 on its FastAPI runtime.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import KitError
from .resources import fixtures_dir
from .tokens import mint_token

__all__ = ["GOLDEN_PROFILES", "GoldenCase", "GoldenError", "load_golden_cases", "render_json"]

GOLDEN_PROFILES = ("contract", "honcho")


class GoldenError(KitError):
    """A golden case file is malformed."""


def render_json(value: Any) -> bytes:
    """JSON as FastAPI renders it: compact separators, non-ASCII raw, UTF-8."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class GoldenCase:
    name: str
    description: str
    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes | None
    token: Mapping[str, Any] | None
    settings: Mapping[str, Any]
    status: int
    content_type: str | None
    expected_headers: Mapping[str, str]
    expected_body: bytes
    real_server: Mapping[str, Any] | None = field(default=None)
    profile: str = "contract"

    def request_headers(self) -> dict[str, str]:
        """Headers to send, with a freshly minted ``Authorization`` if the case has a token."""
        headers = dict(self.headers)
        if self.token is not None:
            secret = str(self.token.get("secret", self.settings.get("auth_jwt_secret", "")))
            algorithm = str(self.token.get("algorithm", "HS256"))
            token = mint_token(secret, self.token.get("claims", {}), algorithm=algorithm)
            headers["authorization"] = f"Bearer {token}"
        return headers

    @property
    def is_defect(self) -> bool:
        """True when the real server answers otherwise (the mock keeps the contract)."""
        return self.real_server is not None


def load_golden_cases(directory: Path | None = None) -> list[GoldenCase]:
    """Every ``*.json`` case under ``directory`` (the packaged fixtures by default), by name."""
    root = directory or fixtures_dir()
    cases = [_load(path, root) for path in sorted(root.rglob("*.json"))]
    if not cases:
        raise GoldenError("no golden cases found", where=str(root))
    return cases


def _load(path: Path, root: Path) -> GoldenCase:
    where = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        request, response = data["request"], data["response"]
        return GoldenCase(
            name=path.relative_to(root).with_suffix("").as_posix(),
            description=str(data.get("description", "")),
            method=str(request.get("method", "POST")).upper(),
            path=str(request["path"]),
            headers={k.lower(): str(v) for k, v in (request.get("headers") or {}).items()},
            body=_request_body(request),
            token=request.get("token"),
            settings=data.get("settings") or {},
            status=int(response["status"]),
            content_type=response.get("content_type"),
            expected_headers={
                k.lower(): str(v) for k, v in (response.get("headers") or {}).items()
            },
            expected_body=_expected_body(response),
            real_server=data.get("real_server"),
            profile=_profile(data),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise GoldenError(
            f"malformed golden case ({type(exc).__name__}: {exc})",
            where=where,
            fix="see the format in honcho_spec/golden.py",
        ) from None


def _profile(data: Mapping[str, Any]) -> str:
    profile = data["profile"]
    if profile not in GOLDEN_PROFILES:
        raise ValueError(f"profile {profile!r} is not one of {', '.join(GOLDEN_PROFILES)}")
    return str(profile)


def _request_body(request: Mapping[str, Any]) -> bytes | None:
    if "json" in request:
        return render_json(request["json"])
    if "text" in request:
        return str(request["text"]).encode("utf-8", "surrogatepass")
    if "base64" in request:
        return base64.b64decode(request["base64"], validate=True)
    return None


def _expected_body(response: Mapping[str, Any]) -> bytes:
    if "json" in response:
        return render_json(response["json"])
    return str(response.get("text", "")).encode("utf-8")
