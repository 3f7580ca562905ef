"""Run the command line: `python -m papertide`."""

from papertide.cli import main

main()
