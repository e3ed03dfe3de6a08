__version__ = "0.1.0"
VERSION = __version__
# The Owncast API version owncastd implements (openapi.yaml@86011b77 is spec 0.2.4): what
# Owncast's clients read in `versionNumber` and branch on. Our own version goes in
# `owncastdVersion` and `owncastd --version`.
OWNCAST_API_VERSION = "0.2.4"


def release_string(version: str = VERSION) -> str:
    """`/api/config`'s `version`, in Owncast's `Owncast v<api>-<platform> (<build>)` form."""
    return f"Owncast v{OWNCAST_API_VERSION}-owncastd (owncastd {version})"
