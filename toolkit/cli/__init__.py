"""The command line: a thin click shell over toolkit.jobs, in Vietnamese."""


def run() -> None:
    """The `toolkit` command. This module imports nothing: a worker process started by "spawn" runs the
    script that started the program again (pip's `toolkit` script imports its entry point's module),
    and importing the whole command line there cost each worker a second."""
    from toolkit.cli.main import main

    main()
