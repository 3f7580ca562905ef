"""Run the command line: `python -m papertide`, and the `papertide` console script.

The script imports this small module, not the command line: a process that multiprocessing
starts with spawn (the ingest's parsing processes) runs the script again as its main module,
and would otherwise import every command and its services (about 0.6 s of CPU each) to parse
JSON lines.
"""


def main() -> None:
    from papertide.cli import main as command_line

    command_line()


if __name__ == "__main__":
    main()
