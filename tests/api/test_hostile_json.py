"""Bodies a gateway in front of the ledger would read differently are refused (issue 25, part 3):
a duplicated member name (INPUT-02), another encoding than UTF-8 (INPUT-01), values parsers read
differently (INPUT-03). RFC 8259, I-JSON (RFC 7493). Nothing is recorded."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from adapters.database import Server
from tests.builders import make_uscc, registered

USCC = make_uscc(2501)
OTHER = make_uscc(2502)
PROBLEM = "application/problem+json"
Auth = Callable[..., dict[str, str]]


def _text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _post(client: TestClient, auth: Auth, body: bytes, content_type: str = "application/json") -> dict:
    response = client.post("/v1/records", content=body, headers={"content-type": content_type, **auth("TJ-LIC")})
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM
    return dict(response.json())


def _nothing_recorded(client: TestClient, server: Server) -> None:
    with server.connect() as conn:
        assert conn.execute("SELECT count(*) FROM record_log").fetchone()[0] == 0
    assert client.get(f"/v1/enterprises/{USCC}").status_code == 404


def test_a_record_naming_its_uscc_twice_is_refused_naming_the_member(
    client: TestClient, auth: Auth, clean_db: Server
) -> None:
    body = _text(registered(USCC))[:-1] + f', "uscc": "{OTHER}"}}'
    problem = _post(client, auth, body.encode())
    assert problem["title"] == "Duplicated member name"
    assert problem["errors"][0]["field"] == "/uscc"
    assert problem["errors"][0]["rule"] == "INPUT-02"
    assert '"uscc" appears 2 times' in problem["errors"][0]["reason"]
    _nothing_recorded(client, clean_db)


def test_a_department_named_twice_in_the_second_record_of_a_batch_is_refused_with_its_pointer(
    client: TestClient, auth: Auth, clean_db: Server
) -> None:
    second = _text(registered(OTHER)).replace('"source": {', '"source": {"department": "TJ-ENF", ', 1)
    body = f"[{_text(registered(USCC))}, {second}]"
    assert json.loads(body)[1]["source"]["department"] == "TJ-LIC"  # what a last-value parser records
    problem = _post(client, auth, body.encode())
    assert [(e["field"], e["rule"]) for e in problem["errors"]] == [("/1/source/department", "INPUT-02")]
    _nothing_recorded(client, clean_db)


def test_a_duplicate_spelled_with_an_escape_is_the_same_name(client: TestClient, auth: Auth, clean_db: Server) -> None:
    body = _text(registered(USCC))[:-1] + f', "\\u0075scc": "{OTHER}"}}'
    assert _post(client, auth, body.encode())["errors"][0]["field"] == "/uscc"
    _nothing_recorded(client, clean_db)


@pytest.mark.parametrize(
    ("codec", "named"),
    [
        ("utf-16", "UTF-16LE"),  # with its byte order mark
        ("utf-16-le", "UTF-16LE"),
        ("utf-16-be", "UTF-16BE"),
        ("utf-32-be", "UTF-32BE"),
        ("utf-32", "UTF-32LE"),
        ("utf-8-sig", "UTF-8 with a byte order mark"),
    ],
)
def test_a_body_in_another_encoding_is_refused_naming_it(
    client: TestClient, auth: Auth, clean_db: Server, codec: str, named: str
) -> None:
    problem = _post(client, auth, _text(registered(USCC)).encode(codec))
    assert problem["title"] == "Body not UTF-8"
    assert problem["encoding"] == named
    assert problem["errors"][0]["rule"] == "INPUT-01" and named in problem["errors"][0]["reason"]
    _nothing_recorded(client, clean_db)


def test_a_gbk_body_is_refused_as_not_utf8(client: TestClient, auth: Auth, clean_db: Server) -> None:
    problem = _post(client, auth, _text(registered(USCC)).encode("gbk"))
    assert problem["encoding"] == "invalid UTF-8"
    assert problem["errors"][0]["reason"].startswith("not UTF-8 (byte ")
    _nothing_recorded(client, clean_db)


def test_a_body_declared_in_another_charset_is_refused_even_when_its_bytes_are_utf8(
    client: TestClient, auth: Auth, clean_db: Server
) -> None:
    problem = _post(client, auth, _text(registered(USCC)).encode(), "application/json; charset=ISO-8859-1")
    assert problem["encoding"] == "ISO-8859-1"
    _nothing_recorded(client, clean_db)


@pytest.mark.parametrize(
    ("member", "field", "said"),
    [
        ('"fine": NaN', "body", "NaN is not JSON"),
        ('"fine": 1e400', "body", "beyond IEEE 754 binary64"),
        ('"fine": 9007199254740993', "body", "2**53"),
        ('"note": "\\ud800"', "/note", "U+D800"),
        ('"note": "\\uffff"', "/note", "U+FFFF"),
    ],
)
def test_a_value_other_parsers_read_differently_is_refused(
    client: TestClient, auth: Auth, clean_db: Server, member: str, field: str, said: str
) -> None:
    problem = _post(client, auth, (_text(registered(USCC))[:-1] + f", {member}}}").encode())
    assert problem["errors"][0]["field"] == field and problem["errors"][0]["rule"] == "INPUT-03"
    assert said in problem["errors"][0]["reason"]
    _nothing_recorded(client, clean_db)


def test_the_same_record_in_plain_utf8_is_recorded(client: TestClient, auth: Auth, clean_db: Server) -> None:
    body = _text(registered(USCC)).replace('"name"', '"\\u006eame"', 1)  # escapes are fine, once
    response = client.post(
        "/v1/records",
        content=body.encode(),
        headers={"content-type": "application/json; charset=utf-8", **auth("TJ-LIC")},
    )
    assert response.status_code == 201, response.text
    assert client.get(f"/v1/enterprises/{USCC}").status_code == 200
