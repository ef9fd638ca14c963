"""Runs inside the opendsm venv (benchmarks/work/opendsm-venv): fit opendsm's hourly or daily
model on the rows marked train, predict the rows marked test, print JSON predictions.

    python opendsm_peer.py DATA.csv hourly|daily   (columns: ts_utc, observed, temp_c, fold)
    fold: the training rows of split k are those with fold != k (k given as argv[3])
"""

import json
import sys
import traceback

import numpy as np
import pandas as pd
from opendsm import eemeter as em


def frame(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"observed": df["observed"].values,
                        "temperature": df["temp_c"].values * 1.8 + 32},
                       index=pd.DatetimeIndex(df["ts_utc"], tz="UTC"))
    return out


def main() -> None:
    path, granularity, split = sys.argv[1], sys.argv[2], sys.argv[3]
    df = pd.read_csv(path, parse_dates=["ts_utc"])
    train = df[df["fold"] != split] if split != "chrono" else df[df["fold"] == "train"]
    test = df[df["fold"] == split] if split != "chrono" else df[df["fold"] == "test"]
    tr, te = frame(train), frame(test)
    try:
        if granularity == "hourly":
            base = em.HourlyBaselineData(tr, is_electricity_data=True)
            model = em.HourlyModel().fit(base, ignore_disqualification=True)
            pred = model.predict(em.HourlyReportingData(te, is_electricity_data=True),
                                 ignore_disqualification=True)
        else:
            base = em.DailyBaselineData(tr, is_electricity_data=True)
            model = em.DailyModel().fit(base, ignore_disqualification=True)
            pred = model.predict(em.DailyReportingData(te, is_electricity_data=True),
                                 ignore_disqualification=True)
        p = pred["predicted"].reindex(te.index)
        print(json.dumps({"ok": True, "predicted": [None if np.isnan(v) else float(v)
                                                    for v in p.values]}))
    except Exception as exc:  # the benchmark reports a failure, it does not stop
        print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}",
                          "trace": traceback.format_exc()[-600:]}))


if __name__ == "__main__":
    main()
