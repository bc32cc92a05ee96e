"""derive_vars_ap_dates: APxxSDT/APxxEDT, the analysis period dates of ADSL."""

from __future__ import annotations

import re

import pandas as pd

from ._common import as_date, assert_frame, assert_new_vars

_PERIOD_START = re.compile(r"^TR(\d\d)SDT$")

def derive_vars_ap_dates(dataset_adsl: pd.DataFrame, *, end_window: int = 0) -> pd.DataFrame:
    """Add APxxSDT and APxxEDT for every period xx with a TRxxSDT column.

    Permitted values: ``dataset_adsl`` has TRxxSDT/TRxxEDT (xx = 01, 02, ...); ``end_window`` is
    the number of days the subject's last period runs after its last dose (the follow-up).

    Details (the dates bounding derive_vars_period's APERIOD, per subject):
      1. APxxSDT = TRxxSDT (missing when the subject had no dose in period xx: no APxxEDT either).
      2. APxxEDT = the first later period's start date (TRyySDT) when the subject has one: the
         two periods share that day, split by time (on_or_after_start), so a pre-dose sample on
         the day of the stage-2 infusion is in period xx.
      3. Otherwise APxxEDT = TRxxEDT + ``end_window`` days.

    Returns: a copy of ``dataset_adsl`` with APxxSDT, APxxEDT added after the existing columns.

    Example::

        >>> adsl = pd.DataFrame({"TR01SDT": pd.to_datetime(["2023-10-10", "2023-10-10"]),
        ...                      "TR01EDT": pd.to_datetime(["2023-10-24", "2023-10-24"]),
        ...                      "TR02SDT": pd.to_datetime(["2023-11-07", None]),
        ...                      "TR02EDT": pd.to_datetime(["2023-11-14", None])})
        >>> out = derive_vars_ap_dates(adsl, end_window=28)
        >>> out["AP01EDT"].dt.strftime("%Y-%m-%d").tolist(), out["AP02EDT"].dt.strftime("%Y-%m-%d").tolist()
        (['2023-11-07', '2023-11-21'], ['2023-12-12', nan])
    """
    assert_frame(dataset_adsl, "dataset_adsl")
    if not isinstance(end_window, int) or end_window < 0:
        raise ValueError("`end_window` must be a non-negative integer number of days")
    numbers = sorted(int(m.group(1)) for c in dataset_adsl.columns if (m := _PERIOD_START.match(c)))
    assert_new_vars(dataset_adsl, [f"AP{n:02d}{s}" for n in numbers for s in ("SDT", "EDT")], dataset_name="ADSL")
    out = dataset_adsl.copy(deep=False)
    next_start = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    ends: dict[int, pd.Series] = {}
    for n in reversed(numbers):
        start = as_date(out[f"TR{n:02d}SDT"]).set_axis(out.index)
        last = as_date(out[f"TR{n:02d}EDT"]).set_axis(out.index) + pd.Timedelta(days=end_window)
        ends[n] = next_start.where(next_start.notna(), last).where(start.notna())
        next_start = start.where(start.notna(), next_start)
    for n in numbers:
        out[f"AP{n:02d}SDT"] = as_date(out[f"TR{n:02d}SDT"]).set_axis(out.index)
        out[f"AP{n:02d}EDT"] = ends[n].astype("datetime64[ns]")
    return out

