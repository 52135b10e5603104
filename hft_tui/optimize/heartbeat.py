"""The beat that tells other workers this process still runs its trials (Optuna's heartbeat
records, one per running trial, every ``HEARTBEAT_S``)."""

from __future__ import annotations

import threading

from optuna.storages import RDBStorage

from hft_tui.optimize.study_store import HEARTBEAT_S


class Heartbeat:
    """A daemon thread beating for the trial ids in ``running`` (updated by the owner)."""

    def __init__(self, storage: RDBStorage) -> None:
        self._storage = storage
        self._running: set[int] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="optuna-heartbeat", daemon=True)
        self._thread.start()

    def track(self, trial_id: int) -> None:
        with self._lock:
            self._running.add(trial_id)
        self._storage.record_heartbeat(trial_id)

    def forget(self, trial_id: int) -> None:
        with self._lock:
            self._running.discard(trial_id)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_S):
            with self._lock:
                ids = list(self._running)
            for trial_id in ids:
                try:
                    self._storage.record_heartbeat(trial_id)
                except Exception:  # noqa: BLE001, S112 - a missed beat is retried next period
                    continue
