"""statsmodels' fits in a worker process: the same model as in-process, started on demand, gone
when idle, a dead worker replaced, a failed fit named; and a refresh that never fails for it."""

from __future__ import annotations

import asyncio
import os
import random
import signal

import pytest
from forecasting_fakes import until

from labs_forecasting.adapters import fit_process
from labs_forecasting.adapters import forecast_models as fm
from labs_forecasting.adapters.fit_process import FitFailed, FitProcess
from labs_forecasting.service_layer import forecasts

# Too short to fit: the worker answers null without loading statsmodels, so the tests of its
# life cycle start workers in a fraction of a second.
SHORT = [480.0] * 5


def _series(days: int = 40, seed: int = 7) -> list[float]:
    rng = random.Random(seed)
    return [480.0 + rng.gauss(0, 60) for _ in range(days)]


@pytest.fixture
async def worker():
    process = FitProcess(idle_seconds=60)
    yield process
    await process.close()


async def test_the_service_s_worker_fits_a_model_of_the_series():
    # The service's own worker (the refresh tests share it: one statsmodels import).
    series = _series()
    fitted = await fit_process.FITS.fit(series)
    assert fit_process.FITS.running
    assert fitted.method in ("ets", "arima") and fitted.n == len(series)
    assert abs(fitted.level - 480.0) < 60.0 and 0.0 < fitted.sigma < 120.0


async def test_the_worker_stops_when_idle_and_the_next_fit_starts_another():
    worker = FitProcess(idle_seconds=0.2)
    try:
        assert await worker.fit(SHORT) is None
        first = worker._process.pid
        await until(lambda: not worker.running)
        assert await worker.fit(SHORT) is None
        assert worker.running and worker._process.pid != first
    finally:
        await worker.close()


async def test_a_worker_killed_under_a_fit_is_replaced_and_the_fit_answered(worker):
    await worker.fit(SHORT)
    killed = worker._process
    os.kill(killed.pid, signal.SIGKILL)
    await killed.wait()
    assert await worker.fit(SHORT) is None
    assert worker.running and worker._process is not killed


async def test_a_fit_that_raises_is_named_and_the_worker_carries_on(worker):
    await worker.fit(SHORT)
    pid = worker._process.pid
    with pytest.raises(FitFailed, match="ValueError"):
        await worker.fit(["not a number"] * 40)  # type: ignore[list-item]
    assert await worker.fit(SHORT) is None
    assert worker._process.pid == pid


async def test_a_refit_the_worker_cannot_answer_falls_back_to_the_cheap_fit(monkeypatch):
    async def broken(series):
        raise FitFailed("the fit worker exited (-9)")
    monkeypatch.setattr(fit_process.FITS, "fit", broken)
    fitted = await forecasts._refit(_series())
    assert fitted == fm.fast_ses(_series())


async def test_a_fit_cut_short_never_hands_its_answer_to_the_next(worker):
    await worker.fit(SHORT)
    cut = asyncio.create_task(worker.fit(_series(seed=11)))  # a real fit: it takes a while
    await until(lambda: worker._lock.locked())
    cut.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cut

    assert await worker.fit(SHORT) is None  # not the model of the series cut short
