"""The band's time-series models, fitted with statsmodels on a project's own series of daily
cost (working days): ETS(A,N,N) (`ExponentialSmoothing`, simple) and ARIMA(1,0,0) with a mean;
the one whose forecast of the sum of the held-out last days was closer is refitted on the whole
series and kept. What is kept is plain JSON (`Fitted.as_json`), so a later refresh can move the
level forward without refitting (`warm`), and the domain (domain/forecast.py) turns it into the
spread of the remaining work.

statsmodels is imported once, on first use, never per call: in the fit worker
(adapters/fit_process.py), not in the service. `fast_ses` is the cheap fit (a grid over alpha
in numpy, no statsmodels) used where thousands of projects are fitted cold at once.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from labs_forecasting.domain import forecast as fc

HOLDOUT_MAX = 14
MIN_FIT = 10
_ALPHAS = np.linspace(0.05, 0.95, 19)


@dataclass(frozen=True)
class Fitted:
    method: str  # "ets" | "arima" | "ses-fast"
    sigma: float  # innovations sd
    level: float  # last level (ets) or mean (arima)
    alpha: float = 0.0
    phi: float = 0.0
    last: float = 0.0  # last observation (arima's state)
    n: int = 0

    def psi(self, horizon: int) -> list[float]:
        if self.method == "arima":
            return fc.ar1_psi(self.phi, horizon)
        return fc.ses_psi(self.alpha)

    def mean_daily(self, horizon: int) -> float:
        """Mean forecast of the next days' average."""
        if self.method == "arima" and horizon > 0:
            dev = self.last - self.level
            decay = sum(self.phi ** j for j in range(1, horizon + 1)) / horizon
            return max(0.0, self.level + dev * decay)
        return max(0.0, self.level)

    def sum_sd(self, horizon: int) -> float:
        return fc.sum_sd(self.psi(horizon), self.sigma, horizon)

    def finite(self) -> bool:
        return all(math.isfinite(v) for v in (self.sigma, self.level, self.alpha, self.phi,
                                               self.last))

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, value: dict[str, Any] | None) -> Fitted | None:
        if not value or "method" not in value:
            return None
        try:
            return cls(**{k: value[k] for k in cls.__dataclass_fields__ if k in value})
        except TypeError:
            return None


_sm: Any = None


def statsmodels() -> Any:
    """The statsmodels pieces, imported once."""
    global _sm
    if _sm is None:
        from statsmodels.tsa.arima.model import ARIMA
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        class _Models:
            pass
        _sm = _Models()
        _sm.ARIMA = ARIMA
        _sm.ExponentialSmoothing = ExponentialSmoothing
    return _sm


def _fit_ets(y: np.ndarray) -> Fitted:
    sm = statsmodels()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = sm.ExponentialSmoothing(y, trend=None, seasonal=None,
                                         initialization_method="estimated").fit()
    alpha = float(result.params["smoothing_level"])
    resid = y - result.fittedvalues
    sigma = float(np.sqrt(np.mean(resid ** 2))) if len(y) > 1 else 0.0
    level = float(result.level[-1]) if hasattr(result, "level") else float(result.forecast(1)[0])
    return Fitted("ets", sigma, level, alpha=alpha, last=float(y[-1]), n=len(y))


def _fit_arima(y: np.ndarray) -> Fitted:
    sm = statsmodels()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = sm.ARIMA(y, order=(1, 0, 0), trend="c").fit()
    params = dict(zip(result.model.param_names, result.params, strict=False))
    phi = float(np.clip(params.get("ar.L1", 0.0), -0.99, 0.99))
    const = float(params.get("const", np.mean(y)))
    sigma = float(math.sqrt(max(params.get("sigma2", np.var(y)), 0.0)))
    return Fitted("arima", sigma, const, phi=phi, last=float(y[-1]), n=len(y))


def fast_ses(y: np.ndarray) -> Fitted:
    """ETS(A,N,N) by a grid over alpha (one-step squared error), numpy only."""
    y = np.asarray(y, dtype=float)
    best: tuple[float, float, float] | None = None
    for alpha in _ALPHAS:
        level = y[0]
        sse = 0.0
        for value in y[1:]:
            err = value - level
            sse += err * err
            level += alpha * err
        if best is None or sse < best[0]:
            best = (sse, float(alpha), float(level))
    assert best is not None
    sse, alpha, level = best
    sigma = math.sqrt(sse / max(len(y) - 1, 1))
    return Fitted("ses-fast", sigma, level, alpha=alpha, last=float(y[-1]), n=len(y))


def fit(series: list[float]) -> Fitted | None:
    """The better of ETS and ARIMA by a backtest on the held-out end of the series (the error of
    the forecast of its sum), refitted on all of it; None when the series is too short."""
    y = np.asarray(series, dtype=float)
    if len(y) < fc.MIN_HISTORY_DAYS:
        return None
    holdout = min(HOLDOUT_MAX, len(y) // 4)
    chosen = "ets"
    if holdout >= 3 and len(y) - holdout >= MIN_FIT:
        train, test = y[:-holdout], y[holdout * -1:]
        errors = {}
        for name, fitter in (("ets", _fit_ets), ("arima", _fit_arima)):
            try:
                model = fitter(train)
            except Exception:  # a degenerate series (all zeros...): the other one
                continue
            error = abs(model.mean_daily(holdout) * holdout - float(test.sum()))
            if model.finite() and math.isfinite(error):
                errors[name] = error
        if errors:
            chosen = min(errors, key=errors.__getitem__)
    try:
        fitted = _fit_arima(y) if chosen == "arima" else _fit_ets(y)
    except Exception:
        return fast_ses(y)
    return fitted if fitted.finite() else fast_ses(y)


def warm(fitted: Fitted, new_observations: list[float]) -> Fitted:
    """The stored model moved forward over the days since it was fitted, without a refit."""
    if not new_observations:
        return fitted
    if fitted.method == "arima":
        return Fitted(**{**fitted.as_json(), "last": float(new_observations[-1]),
                         "n": fitted.n + len(new_observations)})
    level = fc.ses_level(fitted.level, fitted.alpha, new_observations)
    return Fitted(**{**fitted.as_json(), "level": level, "last": float(new_observations[-1]),
                     "n": fitted.n + len(new_observations)})


def rewarm(fitted: Fitted, series: list[float]) -> Fitted:
    """The stored parameters run over the whole current series (backdated entries included):
    a warm refresh, O(n), no refit."""
    if not series:
        return fitted
    if fitted.method == "arima":
        return Fitted(**{**fitted.as_json(), "last": float(series[-1]), "n": len(series)})
    level = fc.ses_level(float(series[0]), fitted.alpha, series[1:])
    return Fitted(**{**fitted.as_json(), "level": level, "last": float(series[-1]),
                     "n": len(series)})
