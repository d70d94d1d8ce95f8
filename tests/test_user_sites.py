"""A user's own sites: regions from coordinates, CSV delimiter hints, user assumptions."""

from __future__ import annotations

import math

import pytest

from siteselect import uploads
from siteselect.catalog import sites_from_file
from siteselect.errors import SiteSelectError
from siteselect.ranking import default_catalog, default_criteria, evaluate

CSV = (
    b"name,lat,lon,country\n"
    b"Batangas candidate,13.78,121.06,PHL\n"
    b"Saltillo candidate,25.42,-101.0,MEX\n"
    b"Columbus candidate,39.96,-83.0,USA\n"
)
WHEN = "2026-12-02T01:00:00+00:00"


@pytest.fixture(scope="module")
def with_upload():
    cset = default_criteria()
    user = sites_from_file("mine.csv", data=CSV, criteria=cset.ids)
    return default_catalog().with_sites(user), list(user.sites.index)


def test_uploaded_sites_get_their_region_from_their_coordinates(with_upload):
    catalog, ids = with_upload
    sites = catalog.sites.loc[ids]
    assert sites["region_code"].tolist() == ["PH-40", "MX-COA", "US-OH"]
    assert sites["region"].iloc[0].startswith("Calabarzon")


def test_a_regional_indicator_applies_to_an_uploaded_site(with_upload):
    catalog, ids = with_upload
    result = evaluate(catalog, default_criteria(), sector="ems")
    assert result.cost is not None
    breakdown = result.cost.breakdown
    labour = breakdown[(breakdown["site_id"] == ids[0]) & (breakdown["component"] == "labour")]
    assert len(labour) == 1
    assert labour["imputed"].iloc[0] == ""  # Calabarzon's wage applies, nothing imputed
    assert labour["scope_level"].iloc[0] in ("region", "mixed")


def test_a_given_region_code_is_kept():
    data = b"name,lat,lon,country,region_code\nX,13.78,121.06,PHL,PH-03\n"
    cat = sites_from_file("x.csv", data=data, criteria=[])
    assert cat.sites["region_code"].iloc[0] == "PH-03"


def test_coordinates_in_another_country_are_refused():
    data = b"name,lat,lon,country\nRight,13.78,121.06,PHL\nWrong code,25.42,-101.0,USA\n"
    with pytest.raises(SiteSelectError, match=r"row 3, field 'geometry'.*lies in MEX, not in USA"):
        sites_from_file("x.csv", data=data, criteria=[])


@pytest.mark.parametrize(
    ("body", "hint"),
    [
        (b"name;lat;lon;country\nX;13.7;121.0;PHL\n", "looks like ';'-separated: use commas"),
        (b"name\tlat\tlon\tcountry\nX\t13.7\t121.0\tPHL\n", "looks like tab-separated"),
    ],
    ids=["semicolon", "tab"],
)
def test_a_csv_with_another_delimiter_gets_a_hint(body, hint):
    with pytest.raises(SiteSelectError, match=hint):
        sites_from_file("sites.csv", data=body, criteria=[])


def test_entered_values_are_user_assumptions_with_who_and_when(with_upload):
    catalog, ids = with_upload
    cset = default_criteria()
    entries = [(ids[0], "water_stress", 2.0, "ana", WHEN), (ids[1], "logistics", 3.1, "ana", WHEN)]
    mine = uploads.with_user_assumptions(catalog, entries, user_sites=ids, criteria=cset.ids)
    assert mine.version != catalog.version
    assert len(catalog.user_values) == 0  # the input catalogue is unchanged
    result = evaluate(mine, cset, sector="ems")
    cell = result.table.cells.set_index(["site_id", "criterion"]).loc[(ids[0], "water_stress")]
    assert cell["value"] == 2.0
    assert cell["source"] == "user assumption: entered in the app by ana, 2026-12-02 01:00 UTC"
    assert cell["derivation"] == "user assumption"
    # sourced data is untouched: the bundled indicators hold no user row
    assert not catalog.indicators["source"].astype(str).str.contains("user assumption").any()
    # entering again replaces, not duplicates
    again = uploads.with_user_assumptions(
        mine, [(ids[0], "water_stress", 1.0, "bo", WHEN)], user_sites=ids, criteria=cset.ids
    )
    rows = again.user_values[again.user_values["site_id"] == ids[0]]
    assert rows["value"].tolist() == [1.0]


def test_bundled_sites_and_bad_values_are_refused_all_at_once(with_upload):
    catalog, ids = with_upload
    bundled = str(default_catalog().sites.index[0])
    entries = [
        (bundled, "logistics", 3.0, "ana", WHEN),
        (ids[0], "nope", 1.0, "ana", WHEN),
        (ids[0], "logistics", math.inf, "ana", WHEN),
    ]
    with pytest.raises(SiteSelectError) as info:
        uploads.with_user_assumptions(
            catalog, entries, user_sites=ids, criteria=default_criteria().ids
        )
    text = str(info.value)
    assert "only your uploaded sites take values you enter" in text
    assert "unknown criterion" in text
    assert "must be a finite number" in text
