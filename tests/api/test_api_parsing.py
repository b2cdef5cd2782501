"""The API reads JSON with orjson where that gives the same data as DRF's JSONParser, and with DRF's otherwise."""

from __future__ import annotations

import io
from typing import Any

import pytest
from dcp_api.views import ApiJSONParser, ApiView
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

BODIES = [
    b'{"records": [{"answers": {"a": 1, "b": "x", "c": [1, "2"], "d": null, "e": true, "f": 1.5}}]}',
    b'{"a": 1, "a": 2, "b": {"c": []}}', b"[]", b'"text"', b"12", b"-0", b"-0.0", b"1e-7", b"1E+2",
    b"9223372036854775807", b"-9223372036854775808", b"18446744073709551615", b"18446744073709551616",
    b"-9999999999999999999", b"123456789012345678901234567890", b"0.1234567890123456789", b"1e400", b"-1e400",
    b'"\\ud83d\\ude00 \\u00e9 \\u2028 \\/ \\n"', "\"ünïcode ✓ 😀\"".encode(), b'{"\\ud800": 1}', b'"\\ud800"',
    b"[NaN]", b"[Infinity]", b"\xef\xbb\xbf{}", b'"\xff"', b"[1,]", b'{"a":1,}', b"[01]", b"[1.]", b"", b"  ",
    b"[1 2]", b'"a\tb"', b'"a\x01b"', b" {\"a\" :\n1 }\r\n", b"[]x", b"[" * 2000 + b"]" * 2000,
]


def _parsed(parser: Any, body: bytes, encoding: str = "utf-8") -> Any:
    try:
        return ("data", parser.parse(io.BytesIO(body), "application/json", {"encoding": encoding}))
    except ParseError as error:
        return ("error", str(error.detail))
    except RecursionError:
        return ("recursion", None)


@pytest.mark.parametrize("body", BODIES)
def test_the_api_reads_json_as_drf_does(body: bytes) -> None:
    ours, drf = _parsed(ApiJSONParser(), body), _parsed(JSONParser(), body)
    assert repr(ours) == repr(drf)  # the same values of the same types (1 is not 1.0), or the same error


def test_other_encodings_are_read_by_drf() -> None:
    body = '{"a": "é"}'.encode("latin-1")
    assert _parsed(ApiJSONParser(), body, "latin-1") == _parsed(JSONParser(), body, "latin-1") == \
        ("data", {"a": "é"})


def test_api_views_use_it_in_place_of_drfs_json_parser() -> None:
    assert ApiView.parser_classes[0] is ApiJSONParser
    assert JSONParser not in ApiView.parser_classes
