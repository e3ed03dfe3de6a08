"""The persistent delivery queue for outbound activities (an ActivitySender): rows in SQLite,
a bounded worker pool, a per-host cap and breaker, and retries with backoff that survive a
restart."""

from owncastd.federation.delivery.breaker import HostBreaker
from owncastd.federation.delivery.queue import DeliveryPolicy, DeliveryQueue

__all__ = ["DeliveryPolicy", "DeliveryQueue", "HostBreaker"]
