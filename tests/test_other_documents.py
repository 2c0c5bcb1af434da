"""``--spec``: the mock serves another FastAPI-generated document as FastAPI itself would.

A small FastAPI app exercises what FastAPI generates (typed path, query and header
parameters, constraints, nested models, named enums, literals, optional and list fields);
the mock serves only that app's OpenAPI document, and each request gets the same status
and, for every error, the same body from both.
"""

from __future__ import annotations

import datetime
import enum
import json
from collections.abc import Iterator
from typing import Annotated, Any, Literal

import httpx
import pytest
from fastapi import FastAPI, Header, Query
from pydantic import BaseModel, Field

from mock_server import BackgroundServer, MockSettings

pytestmark = pytest.mark.pinned_runtime


class Kind(str, enum.Enum):
    tool = "tool"
    toy = "toy"


class Owner(BaseModel):
    name: str
    age: int | None = Field(default=None, ge=0)


class Item(BaseModel):
    name: str = Field(min_length=1, max_length=10)
    price: float = Field(gt=0)
    kind: Kind
    owner: Owner
    tags: list[str] = []
    size: Literal["s", "m", "l"] = "m"
    meta: dict[str, int] | None = None
    made: datetime.date | None = None


def build_reference() -> FastAPI:
    app = FastAPI(title="items", version="1")

    @app.get("/items/{item_id}", response_model=Item)
    def read_item(
        item_id: int,
        x_token: Annotated[str, Header()],
        limit: Annotated[int, Query(ge=1, le=100)] = 10,
        tags: Annotated[list[str] | None, Query()] = None,
    ) -> dict[str, Any]:
        return {"name": "n", "price": 1.0, "kind": "tool", "owner": {"name": "o"}}

    @app.post("/items", response_model=Item, status_code=201)
    def create_item(item: Item) -> Item:
        return item

    @app.delete("/items/{item_id}", status_code=204, response_model=None)
    def delete_item(item_id: int) -> None:
        return None

    return app


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    reference = build_reference()
    spec = tmp_path_factory.mktemp("spec") / "items.json"
    spec.write_text(json.dumps(reference.openapi()))
    quiet = MockSettings(port=0, log_level="critical")
    mock_settings = MockSettings(port=0, log_level="warning", spec_path=spec)
    with (
        BackgroundServer(quiet, app=reference) as ref,
        BackgroundServer(mock_settings) as mock,
    ):
        yield ref.url, mock.url


GOOD = {"name": "hammer", "price": 9.5, "kind": "tool", "owner": {"name": "ann", "age": 3}}
HEADERS = {"x-token": "t"}

CASES = [
    pytest.param("GET", "/items/7", HEADERS, None, id="get-valid"),
    pytest.param("GET", "/items/seven", HEADERS, None, id="path-int-parsing"),
    pytest.param("GET", "/items/7", {}, None, id="header-missing"),
    pytest.param("GET", "/items/7?limit=0", HEADERS, None, id="query-below-minimum"),
    pytest.param("GET", "/items/7?limit=x&tags=a&tags=b", HEADERS, None, id="query-int-parsing"),
    pytest.param("GET", "/items/x?limit=500", {}, None, id="errors-in-fastapi-order"),
    pytest.param("HEAD", "/items/7", HEADERS, None, id="head-on-get-route"),
    pytest.param("POST", "/items", {}, GOOD, id="post-valid"),
    pytest.param("POST", "/items", {}, {**GOOD, "name": ""}, id="min-length"),
    pytest.param("POST", "/items", {}, {**GOOD, "name": "x" * 11}, id="max-length"),
    pytest.param("POST", "/items", {}, {**GOOD, "price": 0}, id="greater-than"),
    pytest.param("POST", "/items", {}, {**GOOD, "kind": "car"}, id="named-enum"),
    pytest.param("POST", "/items", {}, {**GOOD, "size": "xl"}, id="literal"),
    pytest.param("POST", "/items", {}, {**GOOD, "owner": {"age": -1}}, id="nested-model"),
    pytest.param("POST", "/items", {}, {**GOOD, "owner": "ann"}, id="nested-not-object"),
    pytest.param("POST", "/items", {}, {**GOOD, "tags": ["a", 1]}, id="list-item-type"),
    pytest.param("POST", "/items", {}, {**GOOD, "meta": {"a": "b"}}, id="dict-values"),
    pytest.param("POST", "/items", {}, {**GOOD, "made": "yesterday"}, id="date-format"),
    pytest.param("POST", "/items", {}, {**GOOD, "price": "9.5"}, id="lax-number-string"),
    pytest.param("POST", "/items", {}, {}, id="all-missing"),
    pytest.param("DELETE", "/items/7", {}, None, id="delete-204"),
    pytest.param("DELETE", "/items/x", {}, None, id="delete-int-parsing"),
    pytest.param("PUT", "/items/7", {}, None, id="method-not-allowed"),
]


@pytest.mark.parametrize(("method", "path", "headers", "body"), CASES)
@pytest.mark.slow
def test_mock_answers_as_fastapi_does(
    servers: tuple[str, str],
    method: str,
    path: str,
    headers: dict[str, str],
    body: Any,
) -> None:
    ref_url, mock_url = servers
    content = json.dumps(body).encode() if body is not None else None
    sent = {**headers, "content-type": "application/json"} if content else headers
    expected = httpx.request(method, ref_url + path, headers=sent, content=content)
    actual = httpx.request(method, mock_url + path, headers=sent, content=content)
    assert actual.status_code == expected.status_code
    assert actual.headers.get("content-type") == expected.headers.get("content-type")
    assert actual.headers.get("allow") == expected.headers.get("allow")
    if expected.status_code >= 300:
        assert actual.content == expected.content
    elif expected.content:
        Item.model_validate(actual.json())  # a success body the document's schema accepts
