import httpx


def test_valid_body_gets_204(mock_url: str) -> None:
    response = httpx.post(
        f"{mock_url}/v2/workspaces/ws-1/trigger_dream",
        json={"observer": "alice", "dream_type": "consolidate"},
    )
    assert response.status_code == 204
    assert response.content == b""
