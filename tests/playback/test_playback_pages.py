"""Dashboard pages over HTTP: who may open which, that an organisation's dashboard shows its figures against its
peers (never fewer than five) and its previous year, and that nothing of another organisation leaks."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from dcp_platform.accounts.models import Organisation
from dcp_platform.playback.selectors import late_returns_by_organisation
from dcp_platform.playback.services import refresh_figures
from dcp_platform.tenancy.models import Collection, CollectionAnalyst

from tests.playback.test_playback_measures import make_record

NORTH_EAST = "E12000001"
PEER_RENTS = [110, 120, 130, 140, 150]


@pytest.fixture
def world(core: Any, make_org: Callable[..., Any], make_user: Callable[..., Any]) -> dict[str, Any]:
    def org(region: str = NORTH_EAST, **extra: Any) -> Organisation:
        organisation = make_org(collections=("core",), **extra)
        organisation.region = region
        organisation.save()
        return organisation

    mine = org()
    child = org(parent=mine)
    other = org(region="E12000002")  # not a peer: another region
    peers = [org() for _ in PEER_RENTS]
    for organisation, rent in zip(peers, PEER_RENTS, strict=True):
        # Only four peers answer vacancy days: too few for peer figures.
        make_record(organisation, answers={"needstype": 1, "la": "E08000021"},
                    derived={"wtcharge": f"{rent}", **({"vacdays": 10} if rent != 150 else {})})
    for _ in range(2):
        make_record(mine, answers={"needstype": 1, "la": "E08000021"}, derived={"wtcharge": "100", "vacdays": 3})
    make_record(mine, year=2025, answers={"needstype": 1}, derived={"wtcharge": "80"})
    make_record(child, answers={"needstype": 2}, derived={"wtcharge": "90"})
    secret = make_record(other, status="in_progress", answers={"needstype": 1}, derived={"wtcharge": "777.77"})
    secret.reference = "SECRET-REFERENCE"
    secret.record_date = date(2026, 5, 1)
    secret.save()
    make_record(other, answers={"needstype": 1}, derived={"wtcharge": "777.77"})
    for year in (2025, 2026):
        refresh_figures(slug="core", form="lettings", year=year)
    analyst = make_user(make_org(provider_type="OTHER", collections=()))
    CollectionAnalyst.objects.create(user=analyst, collection=Collection.objects.get(schema_name="core"))
    return {
        "mine": mine, "child": child, "other": other, "peers": peers, "analyst": analyst,
        "coordinator": make_user(mine, role="data_coordinator"),
        "provider": make_user(mine, role="data_provider"),
    }


def dashboard(code: str, year: int = 2026) -> str:
    return f"/dashboards/lettings/{year}/organisations/{code}/"


DEPARTMENT = "/dashboards/department/lettings/2026/"
AREAS = "/dashboards/department/lettings/2026/local-authorities/median_weekly_total_charge/"


def text(response: Any) -> str:
    return response.content.decode()


def test_a_coordinator_sees_their_organisation_against_peers_and_last_year(
    world: dict[str, Any], client_for: Callable[..., Any]
) -> None:
    client = client_for("core", world["coordinator"])
    page = text(client.get(dashboard(world["mine"].code)))
    assert world["mine"].name in page
    # Median weekly total charge: 100 for us, peers' median 130 (quartiles 120 and 140) over 5 organisations; 80 last year.
    assert "£100.00" in page and "£130.00" in page and "£120.00" in page and "£140.00" in page
    assert "£80.00" in page
    assert "Fewer than 5" in page  # vacancy days: four peers only
    assert "role=\"img\"" in page and "<title id=\"measure_1-chart-title\">" in page
    # Nothing of the organisation that is not ours, nor of any single peer.
    assert "777.77" not in page and "SECRET-REFERENCE" not in page and world["other"].name not in page
    for rent in PEER_RENTS:
        if rent not in (120, 130, 140):
            assert f"£{rent}.00" not in page
    # Their child organisation's dashboard too; another organisation's is not found.
    assert client.get(dashboard(world["child"].code)).status_code == 200
    assert client.get(dashboard(world["other"].code)).status_code == 404
    assert client.get(DEPARTMENT).status_code == 403
    assert client.get(AREAS).status_code == 403
    index = text(client.get("/dashboards/"))
    assert world["mine"].name in index and world["other"].name not in index


def test_each_table_downloads_as_csv(world: dict[str, Any], client_for: Callable[..., Any]) -> None:
    client = client_for("core", world["coordinator"])
    page = text(client.get(dashboard(world["mine"].code)))
    assert "?download=measure_5" in page
    response = client.get(dashboard(world["mine"].code) + "?download=measure_5")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["", "Your organisation", "Peers: lower quartile", "Peers: median"]
    assert client.get(dashboard(world["mine"].code) + "?download=nothing").status_code == 404


@pytest.mark.parametrize("role", ["anonymous", "provider"])
def test_people_without_a_dashboard_are_kept_out(
    role: str, world: dict[str, Any], client_for: Callable[..., Any]
) -> None:
    client = client_for("core", world.get(role))
    for url in ("/dashboards/", dashboard(world["mine"].code), DEPARTMENT, AREAS):
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302 and "sign-in" in response["Location"]
        else:
            assert response.status_code == 403, url


def test_analysts_and_support_see_every_organisation_and_england(
    world: dict[str, Any], client_for: Callable[..., Any], support_client: Callable[[str], Any]
) -> None:
    for client in (client_for("core", world["analyst"]), support_client("core")):
        for organisation in (world["mine"], world["other"]):
            assert client.get(dashboard(organisation.code)).status_code == 200
        page = text(client.get(DEPARTMENT))
        assert "England" in page and "North East" in page
        assert world["other"].name in page  # the returns table names every organisation
        assert "Outstanding and late returns by organisation" in page
        areas = text(client.get(AREAS))
        assert "Newcastle upon Tyne" in areas
        assert client.get(DEPARTMENT.replace("2026", "1999")).status_code == 404
    # An analyst of another collection is no analyst here.
    assert client_for("hclic", world["analyst"]).get("/dashboards/department/cases/2026/").status_code == 403


def test_late_returns_count_unfinished_records_past_the_deadline(world: dict[str, Any]) -> None:
    analyst = world["analyst"]
    assert late_returns_by_organisation(user=analyst, form="lettings", year=2026, today=date(2026, 6, 1)) == {}
    late = late_returns_by_organisation(user=analyst, form="lettings", year=2026, today=date(2030, 1, 1))
    assert late == {world["other"].pk: 1}


def _csv(response: Any) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_department_sees_each_measure_for_england_each_region_and_each_local_authority(
    world: dict[str, Any], client_for: Callable[..., Any]
) -> None:
    client = client_for("core", world["analyst"])
    # Median weekly total charge of completed records (the CSV has plain numbers). North East: ours (100, 100), our child's (90) and the
    # peers' (110 to 150); North West: the other organisation's completed record only; England: all nine.
    rows = {row[0]: row[1:] for row in _csv(client.get(DEPARTMENT + "?download=measure_5"))[1:]}
    assert rows == {"England": ["120.0", "9"], "North East": ["115.0", "8"], "North West": ["777.77", "1"]}
    # By local authority (the records' `la` answer): Newcastle upon Tyne has ours and the peers' records.
    rows = {row[0]: row[1:] for row in _csv(client.get(AREAS + "?download=areas"))[1:]}
    assert rows == {"Newcastle upon Tyne": ["120.0", "7"]}
    # A measure broken down by an answer (completed records): one column per area, one row per needs type.
    table = _csv(client.get(DEPARTMENT + "?download=measure_1"))
    assert table[0] == ["", "England", "North East", "North West"]
    assert {row[0]: row[1:] for row in table[1:]} == {
        "General needs": ["8.0", "7.0", "1.0"], "Supported housing": ["1.0", "1.0", ""]}
