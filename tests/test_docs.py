"""The Python blocks of the user guides run, and every ``print(...)  # -> X``
line prints exactly ``X``."""

from __future__ import annotations

import ast
import io
import re
from contextlib import redirect_stdout
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
GUIDES = ["grammar.md", "regex.md", "far.md", "pynini.md", "lm.md", "torch.md", "../README.md"]
_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def _expected_outputs(source: str) -> list[str]:
    """The ``# -> X`` texts, in the order their print calls run (top-level
    statements only, which is how the guides are written)."""
    lines = source.splitlines()
    expected = []
    for node in ast.parse(source).body:
        for sub in ast.walk(node):
            if (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name)
                    and sub.func.id == "print"):
                line = lines[sub.end_lineno - 1]
                if "# -> " in line:
                    expected.append(line.split("# -> ", 1)[1].rstrip())
    return expected


@pytest.mark.parametrize("guide", GUIDES)
def test_guide_examples_print_what_they_say(guide, tmp_path, monkeypatch):
    text = (DOCS / guide).read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # the guides may write files (the README does)
    blocks = _BLOCK.findall(text)
    if not blocks:
        pytest.skip(f"{guide} has no python blocks")
    namespace: dict = {}
    for number, block in enumerate(blocks, 1):
        buffer = io.StringIO()
        with redirect_stdout(buffer):
            exec(compile(block, f"{guide} block {number}", "exec"), namespace)
        printed = buffer.getvalue().splitlines()
        expected = _expected_outputs(block)
        assert len(printed) >= len(expected)
        # every annotated print is matched in order among the printed lines
        it = iter(printed)
        for want in expected:
            assert any(got == want for got in it), (
                f"{guide} block {number}: expected a line {want!r}, printed {printed}")
