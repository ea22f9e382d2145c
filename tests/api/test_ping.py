from __future__ import annotations

from fastapi.testclient import TestClient


def test_ping_answers_pong_without_a_token(client: TestClient) -> None:
    response = client.get("/v1/ping")
    assert response.status_code == 200
    assert response.json() == {"pong": True}


def test_ping_with_a_broken_token_is_still_a_401(client: TestClient) -> None:
    assert client.get("/v1/ping", headers={"Authorization": "Bearer nonsense"}).status_code == 401
