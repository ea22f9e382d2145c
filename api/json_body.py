"""Every JSON request body, read once and strictly (`domain.json_text`: RFC 8259, I-JSON).

An app-wide dependency (`api/main.py`), so that no route reads a body FastAPI's way (the last
of duplicated members, UTF-16 decoded). A route that takes a JSON body declares
`body: JsonBody`: the value parsed here, once per request.
"""

from __future__ import annotations

from email.message import Message
from typing import Annotated, Any

from fastapi import Depends, Request

from domain import json_text
from domain.errors import JsonEncodingError

_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def json_body(request: Request) -> Any:
    """The request's JSON value; None without a body; the bytes of a body of another media type
    (the route refuses them as it refuses any other shape)."""
    if request.method not in _WITH_BODY:
        return None
    body = await request.body()
    if not body:
        return None
    content_type = request.headers.get("content-type")
    if content_type is not None:
        message = Message()
        message["content-type"] = content_type
        subtype = message.get_content_subtype()
        if message.get_content_maintype() != "application" or not (subtype == "json" or subtype.endswith("+json")):
            return body
        charset = message.get_param("charset")
        if isinstance(charset, str) and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
            raise JsonEncodingError(
                charset,
                f"the body is declared {charset}; JSON exchanged between systems is UTF-8 (RFC 8259 §8.1, §11)",
            )
    return json_text.loads(body)


JsonBody = Annotated[Any, Depends(json_body)]
