"""The upload page links the official numbered template of each open year, written from the definition, and
its specification (issue 20, point 12)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from dcp_platform.registry import definition_for
from dcp_platform.uploads.table import read_layout
from dcp_platform.uploads.template import match_template


def test_the_upload_page_links_the_numbered_template_and_it_is_recognised(
    client_for: Any, core: Any, make_org: Any, make_user: Any, tmp_path: Path
) -> None:
    client = client_for("core", make_user(make_org()))
    html = client.get("/uploads/new/").content.decode()
    link = re.search(r'href="(/uploads/template/lettings/2026\.csv)" download>Or download the official numbered '
                     r"template for 2026 to 2027 \(CSV\)</a>", html)
    assert link, "the lettings 2026 template is linked"
    # The data dictionary where the exports app provides it, else the paper form.
    spec = re.search(r'href="([^"]+)">Each question and its answer codes, for Lettings log 2026 to 2027<', html)
    assert spec and client.get(spec.group(1)).status_code == 200
    response = client.get(link.group(1))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    path = tmp_path / "template.csv"
    path.write_bytes(response.content)
    definition = definition_for("core", "lettings", 2026)
    layout = read_layout(path, "template.csv")
    assert layout.kind == "template"
    # Every field of the year, recognised by the same check an uploaded template meets.
    assert set(match_template(layout, definition).columns.values()) == set(definition.template_field_map())
    assert "What is the tenancy start date? (day)" in response.content.decode("utf-8-sig")
    # A form without a numbered template has none to download.
    assert client.get("/uploads/template/cases/2026.csv").status_code == 404
