"""`python -m owncastctl` runs the CLI, as the `owncastctl` console script does."""

from owncastctl.cli import main

main()
