"""Human number formats for the decision record: separators, units, no e-notation, "—".

Every cell of the record goes through :func:`cell_text` or :func:`number`, so that no
``<NA>``, ``None``, ``nan`` or ``1.365e+04`` reaches a reader.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

DASH = "—"
_E_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?[eE][-+]?\d+(?![\w.])")


def is_missing(value: Any) -> bool:
    """True for None, NaN, pandas NA/NaT and empty text.

    >>> [is_missing(v) for v in (None, float("nan"), pd.NA, "", " ", 0, "x")]
    [True, True, True, True, True, False, False]
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def number(value: Any, *, digits: int = 3) -> str:
    """A number as a reader writes it: thousands separated, ``digits`` significant
    figures below 1,000, fixed notation always, "—" when missing.

    >>> [number(v) for v in (13650.4, 0.04913, -0.49, 24.5, 1.0, 0.0, 2.5e-06, None)]
    ['13,650', '0.0491', '-0.49', '24.5', '1', '0', '0.0000025', '—']
    """
    if is_missing(value):
        return DASH
    v = float(value)
    if not math.isfinite(v):
        return DASH
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(v))))
    text = f"{v:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def score_text(value: Any) -> str:
    """A score to four decimals (enough to tell close sites apart).

    >>> score_text(0.700286), score_text(None)
    ('0.7003', '—')
    """
    if is_missing(value) or not math.isfinite(float(value)):
        return DASH
    return f"{float(value):.4f}"


def percent(share: Any, *, decimals: int = 1) -> str:
    """A share (0-1) as a percentage.

    >>> percent(0.2), percent(0.0333333), percent(None)
    ('20.0 %', '3.3 %', '—')
    """
    if is_missing(share):
        return DASH
    return f"{float(share) * 100:.{decimals}f} %"


def usd_millions(amount: Any) -> str:
    """An amount in USD as USD millions.

    >>> usd_millions(28_592_955.6), usd_millions(None)
    ('USD 28.6 M', '—')
    """
    if is_missing(amount):
        return DASH
    return f"USD {float(amount) / 1e6:,.1f} M"


def with_unit(value: Any, unit: Any) -> str:
    """A value with its unit; yearly USD amounts in millions.

    >>> with_unit(13650.2, "km"), with_unit(38_400_000, "USD/year"), with_unit(25, "%")
    ('13,650 km', 'USD 38.4 M/year', '25 %')
    >>> with_unit(float("nan"), "days")
    '—'
    """
    if is_missing(value):
        return DASH
    unit_text = "" if is_missing(unit) else str(unit)
    if unit_text == "USD/year":
        return usd_millions(value) + "/year"
    return f"{number(value)} {unit_text}".strip()


def cell_text(value: Any) -> str:
    """Any table cell as text: numbers by :func:`number`, missing as "—".

    >>> [cell_text(v) for v in (None, pd.NA, 3, 2.0, True, "Clark", 12345.6)]
    ['—', '—', '3', '2', 'yes', 'Clark', '12,346']
    """
    if is_missing(value):
        return DASH
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, float):
        return number(value)
    try:
        if pd.api.types.is_number(value):
            return number(float(value))
    except (TypeError, ValueError):
        pass
    return str(value)


def year_text(value: Any) -> str:
    """A year without decimals or thousands separator.

    >>> year_text(2023.0), year_text(pd.NA), year_text("2025")
    ('2023', '—', '2025')
    """
    if is_missing(value):
        return DASH
    try:
        return str(int(float(value)))
    except (TypeError, ValueError):
        return str(value)


def plain_numbers(text: str) -> str:
    """Text from the model with every number in e-notation rewritten as :func:`number`.

    >>> plain_numbers("output_value_usd=8e+08 (assumption); k=1.5e-05; id MX-2E1")
    'output_value_usd=800,000,000 (assumption); k=0.000015; id MX-2E1'
    """
    return _E_NUMBER.sub(lambda m: number(float(m.group(0))), text)
