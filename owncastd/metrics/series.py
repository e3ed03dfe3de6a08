"""A bounded time series of `(time, value)` samples (Owncast keeps 300 per series)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime

MAX_SAMPLES = 300


@dataclass(frozen=True)
class Sample:
    """One timestamped value (Owncast's `TimestampedValue`)."""

    time: datetime
    value: float


class TimeSeries:
    """The newest `max_samples` samples, oldest first."""

    def __init__(self, max_samples: int = MAX_SAMPLES) -> None:
        self._samples: deque[Sample] = deque(maxlen=max_samples)

    def add(self, time: datetime, value: float) -> None:
        """Append a sample (the oldest is dropped when full)."""
        self._samples.append(Sample(time, value))

    def samples(self) -> list[Sample]:
        """Every sample, oldest first."""
        return list(self._samples)

    def last(self, count: int) -> list[Sample]:
        """The newest `count` samples, oldest first."""
        return list(self._samples)[-count:] if count > 0 else []

    @property
    def latest(self) -> float | None:
        """The newest value, if any."""
        return self._samples[-1].value if self._samples else None

    def __len__(self) -> int:
        return len(self._samples)
