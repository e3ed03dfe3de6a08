"""What the web app gets of the replays (`WebContext.replays`)."""

from __future__ import annotations

from dataclasses import dataclass

from owncastd.replays.library import ReplayLibrary
from owncastd.replays.recorder import Recorder


@dataclass(frozen=True)
class ReplayServices:
    """The replay library and the recorder."""

    library: ReplayLibrary
    recorder: Recorder | None = None
