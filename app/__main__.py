"""`python -m app` runs the `zukunft` command."""

from app.cli import main

main()
