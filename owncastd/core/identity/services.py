"""The chat identity services the web app serves (built by `owncastd/wiring.py`)."""

from __future__ import annotations

from dataclasses import dataclass

from owncastd.core.identity.fediverse_otp import FediverseOtp
from owncastd.core.identity.indieauth_client import IndieAuthClient
from owncastd.core.identity.provider import IndieAuthProvider


@dataclass(frozen=True)
class IdentityServices:
    """Fediverse codes, the IndieAuth client for chat users, the provider for the admin."""

    fediverse: FediverseOtp
    indieauth: IndieAuthClient
    provider: IndieAuthProvider
