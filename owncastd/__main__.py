"""`python -m owncastd` runs the daemon CLI."""

from owncastd.cli import main

main()
