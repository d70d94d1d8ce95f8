"""The data release: version, date, staleness checks (``siteselect data check``)."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from siteselect.catalog import load_catalog
from siteselect.cli import main
from siteselect.errors import DataError
from siteselect.release import check_release

DAY = dt.date(2026, 12, 1)
META = textwrap.dedent(
    """\
    version: 1
    indicators:
      minimum_wage: {label: Minimum wage, max_age_days: 400, valid_until_required: true}
      worldriskindex:
        label: WRI
        max_age_days: 500
        edition: WRR 2025
        superseded: [WRR 2024]
      zone_tax_rate: {label: Zone tax, max_age_days: 400}
      fx_rate: {label: FX, max_age_days: 45}
    """
)


@pytest.fixture
def release_dir(tiny_dir):
    (tiny_dir / "release.yaml").write_text(
        'version: "2099.1.0"\ndate: 2026-12-01\n', encoding="utf-8"
    )
    (tiny_dir / "indicators.yaml").write_text(META, encoding="utf-8")
    return tiny_dir


def _plant(directory, *lines):
    with (directory / "indicators.csv").open("a", encoding="utf-8") as f:
        for line in lines:
            f.write(line + "\n")


def _kinds(report):
    return {(f.scope, f.indicator, f.kind) for f in report.findings}


def test_release_version_and_date_are_read(release_dir):
    cat = load_catalog(release_dir)
    assert cat.release.version == "2099.1.0"
    assert cat.release.date == DAY
    assert cat.version.startswith("2099.1.0+")


def test_a_refresh_changes_the_data_version(release_dir):
    before = load_catalog(release_dir).version
    _plant(release_dir, "PH-TEST-A,zone_tax_rate,5,%,2026,2026-11-01,,,s,https://x,")
    (release_dir / "indicators.csv").write_text(
        (release_dir / "indicators.csv")
        .read_text(encoding="utf-8")
        .replace(",5,%,2026", ",6,%,2026"),
        encoding="utf-8",
    )
    assert load_catalog(release_dir).version != before


def test_check_finds_each_kind_of_planted_stale_row(release_dir):
    _plant(
        release_dir,
        "PH-TEST-A,minimum_wage,600,PHP/day,2026,2026-04-16,2026-11-30,,s,https://x,expired order",
        "MX-TEST-B,minimum_wage,315,MXN/day,2026,2026-01-01,,,s,https://x,no valid_until",
        "US-TEST-C,minimum_wage,15,USD/hour,2024,2024-01-01,2027-01-01,,s,https://x,too old",
        "PH-TEST-A,worldriskindex,46,WRI score,2024,2024-09-01,,WRR 2024,s,https://x,superseded",
        "MX-TEST-B,lpi_score,3,LPI score,2023,2025-01-01,,,s,https://x,no metadata",
    )
    report = check_release(load_catalog(release_dir), as_of=DAY)
    found = _kinds(report)
    assert ("PH-TEST-A", "minimum_wage", "expired") in found
    assert ("MX-TEST-B", "minimum_wage", "no_valid_until") in found
    assert ("US-TEST-C", "minimum_wage", "too_old") in found
    assert ("PH-TEST-A", "worldriskindex", "superseded") in found
    assert ("MX-TEST-B", "lpi_score", "undocumented") in found
    expired = next(f for f in report.findings if f.kind == "expired")
    assert expired.file.endswith("indicators.csv")
    assert expired.line == 31
    assert "valid until 2026-11-30" in str(expired)


def test_check_depends_on_the_day_not_the_clock(release_dir):
    _plant(
        release_dir, "PH-TEST-A,minimum_wage,600,PHP/day,2026,2026-04-16,2026-11-30,,s,https://x,"
    )
    cat = load_catalog(release_dir)
    before = check_release(cat, as_of=dt.date(2026, 11, 30), indicators=["minimum_wage"])
    after = check_release(cat, as_of=dt.date(2026, 12, 1), indicators=["minimum_wage"])
    assert ("PH-TEST-A", "minimum_wage", "expired") not in _kinds(before)
    assert ("PH-TEST-A", "minimum_wage", "expired") in _kinds(after)


def test_check_can_be_limited_to_the_figures_in_use(release_dir):
    _plant(
        release_dir, "PH-TEST-A,minimum_wage,600,PHP/day,2026,2026-04-16,2026-11-30,,s,https://x,"
    )
    cat = load_catalog(release_dir)
    report = check_release(cat, as_of=DAY, indicators=["zone_tax_rate"], scopes=["PHL"])
    assert {f.indicator for f in report.findings} <= {"zone_tax_rate"}
    assert {f.scope for f in report.findings} <= {"PHL"}


def test_old_exchange_rates_are_flagged(release_dir):
    report = check_release(load_catalog(release_dir), as_of=DAY)
    assert any(f.indicator == "fx_rate" and f.kind == "too_old" for f in report.findings)


def test_cli_data_check_strict_exits_nonzero_on_stale_rows(release_dir, capsys):
    _plant(
        release_dir, "PH-TEST-A,minimum_wage,600,PHP/day,2026,2026-04-16,2026-11-30,,s,https://x,"
    )
    args = ["data", "check", "--data", str(release_dir), "--as-of", "2026-12-01"]
    assert main(args) == 0
    assert main([*args, "--strict"]) == 1
    out = capsys.readouterr()
    assert "past its valid_until" in out.out
    assert "data release 2099.1.0 of 2026-12-01, checked as of 2026-12-01" in out.err


def test_cli_rejects_a_bad_date(capsys):
    with pytest.raises(SystemExit):
        main(["data", "check", "--as-of", "yesterday"])
    assert "expected a date YYYY-MM-DD" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("date: 2026-12-01\n", r"release\.yaml, field 'version': required text is missing"),
        ('version: "1"\ndate: soon\n', r"release\.yaml, field 'date': expected a date"),
    ],
    ids=["no-version", "bad-date"],
)
def test_a_bad_release_file_is_refused(release_dir, text, message):
    (release_dir / "release.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=message):
        load_catalog(release_dir)


def test_bundled_data_is_a_dated_release():
    cat = load_catalog()
    assert cat.release.version
    assert cat.release.date is not None
    assert cat.indicators["as_of"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()


def _with_exception(directory, review_by, reason="no newer edition could be sourced"):
    text = (directory / "indicators.yaml").read_text(encoding="utf-8")
    text += (
        "exceptions:\n"
        "  - indicator: worldriskindex\n"
        "    kinds: [superseded]\n"
        f"    reason: {reason}\n"
        f"    review_by: {review_by}\n"
    )
    (directory / "indicators.yaml").write_text(text, encoding="utf-8")


def test_a_documented_exception_is_shown_but_passes_strict_until_review(release_dir, capsys):
    _plant(release_dir, "PH-TEST-A,worldriskindex,46,WRI score,2024,2026-11-01,,WRR 2024,s,u,")
    _with_exception(release_dir, "2027-01-31")
    cat = load_catalog(release_dir)
    before = check_release(cat, as_of=DAY, indicators=["worldriskindex"])
    superseded = [f for f in before.findings if f.kind == "superseded"]
    assert [f.accepted for f in superseded] == ["no newer edition could be sourced"]
    assert before.ok or all(f.kind != "superseded" for f in before.open)
    after = check_release(cat, as_of=dt.date(2027, 2, 1), indicators=["worldriskindex"])
    assert "superseded" in [f.kind for f in after.open]
    assert not after.ok


def test_an_exception_needs_a_reason_and_a_review_date(release_dir):
    _with_exception(release_dir, "later", reason="''")
    with pytest.raises(DataError, match=r"'exceptions\[1\]\.reason': required text is"):
        check_release(load_catalog(release_dir), as_of=DAY)


def test_data_notice_counts_the_stale_figures_in_use(release_dir):
    from siteselect.release import data_notice

    _plant(release_dir, "PH-TEST-A,minimum_wage,600,PHP/day,2026,2026-04-16,2026-11-30,,s,u,")
    cat = load_catalog(release_dir)
    text, report = data_notice(cat, ["PH-TEST-A"], on=DAY)
    assert not report.ok
    assert text.startswith("Data release 2099.1.0 of 2026-12-01, used on 2026-12-01: ")
    assert "past its valid_until" in text
    assert {f.scope for f in report.findings} <= {"PH-TEST-A", "PHL", "PHP", "MXN", "USD"} | set(
        cat.sites.loc[["PH-TEST-A"], "region_code"].dropna()
    )
    earlier, _ = data_notice(cat, ["PH-TEST-A"], on=dt.date(2026, 11, 30))
    assert "past its valid_until" not in earlier


def test_the_decision_record_shows_the_data_notice_escaped():
    from siteselect import report
    from siteselect.ranking import default_catalog, evaluate

    cat = default_catalog()
    doc = report.decision_record(evaluate(cat), cat.sites, data_notice="2 figures <b>stale</b>")
    assert "<strong>Data notice.</strong> 2 figures &lt;b&gt;stale&lt;/b&gt;" in doc
