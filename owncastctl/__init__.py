"""owncastctl: the terminal admin of owncastd (a CLI and a Textual TUI), over the HTTP API only."""

__version__ = "0.1.0"
