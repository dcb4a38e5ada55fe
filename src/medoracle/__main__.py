"""`python -m medoracle` runs the command line."""

from medoracle.cli import main

main()
