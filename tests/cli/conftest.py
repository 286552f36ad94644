"""Fixtures for the command-line tests: run ``kleene`` in-process."""

from __future__ import annotations

import pytest

from kleene.cli.main import main


class CliResult:
    def __init__(self, status: int, out: str, err: str):
        self.status, self.out, self.err = status, out, err

    def __repr__(self) -> str:
        return f"<exit {self.status}\nstdout:\n{self.out}\nstderr:\n{self.err}>"


@pytest.fixture
def kleene_cli(capsys):
    """``kleene_cli("info", path)`` runs the CLI in this process and returns
    its exit status and captured output."""
    def run(*argv) -> CliResult:
        capsys.readouterr()
        status = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return CliResult(status, out, err)
    return run
