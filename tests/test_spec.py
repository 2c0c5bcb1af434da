"""The spec layer: reading documents, following references, loading golden cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from honcho_spec import (
    GoldenError,
    KitError,
    SpecError,
    load_document,
    load_golden_cases,
    parse_document,
)

OP_ID = "trigger_dream_v2_workspaces__workspace_id__trigger_dream_post"


def test_embedded_document_operation() -> None:
    doc = load_document()
    op = doc.operation(OP_ID)
    assert (op.method, op.path) == ("POST", "/v2/workspaces/{workspace_id}/trigger_dream")
    assert [(p.name, p.location, p.required) for p in op.parameters] == [
        ("workspace_id", "path", True)
    ]
    assert op.request_body is not None
    assert op.request_body.required
    assert op.request_body.json_schema == {
        "$ref": "#/components/schemas/TriggerDreamRequest",
        "description": "Dream trigger parameters",
    }
    assert set(op.responses) == {"204", "422"}
    assert op.success is not None
    assert op.success.is_empty
    assert op.security_schemes == ("HTTPBearer",)
    assert doc.security_schemes["HTTPBearer"] == {"type": "http", "scheme": "bearer"}


def test_resolve_follows_chains() -> None:
    doc = load_document()
    dream_type = doc.resolve({"$ref": "#/components/schemas/DreamType"})
    assert dream_type["enum"] == ["consolidate", "agent"]


MINIMAL = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(
            {**MINIMAL, "paths": {"/a": {"$ref": "#/x/y"}}}, "points nowhere", id="dangling"
        ),
        pytest.param(
            {**MINIMAL, "paths": {"/a": {"$ref": "other.yaml#/a"}}}, "external $ref", id="external"
        ),
        pytest.param(
            {**MINIMAL, "paths": {"/a": {"$ref": "#/paths/~1a"}}}, "circular $ref", id="circular"
        ),
        pytest.param(
            {**MINIMAL, "paths": {"/a": {}}}, "declares no operations", id="no-operations"
        ),
        pytest.param(
            {**MINIMAL, "paths": {"/a": {"get": {"parameters": [{"name": "x"}]}}}},
            "no valid 'name' and 'in'",
            id="bad-parameter",
        ),
    ],
)
def test_document_errors_say_what_and_where(raw: dict[str, object], message: str) -> None:
    with pytest.raises(SpecError, match=r"^doc\.json") as caught:
        parse_document(json.dumps(raw), source="doc.json")
    assert message in str(caught.value)
    assert isinstance(caught.value, KitError)


def test_missing_file_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="no such file; pass the path"):
        load_document(tmp_path / "absent.yaml")
    with pytest.raises(SpecError, match="is a directory"):
        load_document(tmp_path)


def test_golden_cases_load_with_their_bodies() -> None:
    cases = {case.name: case for case in load_golden_cases()}
    bom = cases["trigger_dream/valid/bom"]
    assert bom.body is not None
    assert bom.body.startswith(b"\xef\xbb\xbf")
    assert cases["trigger_dream/invalid/no-body"].body is None
    assert cases["trigger_dream/defects/unknown-workspace"].is_defect
    assert not cases["trigger_dream/valid/minimal"].is_defect
    token = cases["trigger_dream/auth/admin"].request_headers()["authorization"]
    assert token.startswith("Bearer ey")


def test_malformed_golden_case_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"request": {}}')
    with pytest.raises(GoldenError, match=r"bad\.json: malformed golden case \(KeyError"):
        load_golden_cases(tmp_path)
    with pytest.raises(GoldenError, match="no golden cases found"):
        load_golden_cases(tmp_path / "empty")
