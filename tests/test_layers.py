"""The package's layering: each stage imports only the stages before it, and no two modules of a
stage import each other in a cycle (import-linter contracts in setup.cfg; lazy imports included)."""

import os
import shutil
import sys
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]


def _lint(root: Path, capsys) -> tuple[int, str]:
    here = os.getcwd()
    os.chdir(root)
    sys.path.insert(0, str(root))
    try:
        code = lint_imports(config_filename=str(root / "setup.cfg"), no_cache=True, no_logo=True)
    finally:
        sys.path.remove(str(root))
        os.chdir(here)
    return code, capsys.readouterr().out


def test_import_contracts_hold(capsys):
    code, out = _lint(ROOT, capsys)
    assert code == 0, out
    assert "2 kept, 0 broken" in out


def test_a_lazy_import_against_the_layers_is_caught(tmp_path, capsys, monkeypatch):
    """Not vacuous: a copy of the package whose spec imports an annex inside a function fails."""
    shutil.copytree(ROOT / "toolkit", tmp_path / "toolkit", ignore=shutil.ignore_patterns("bundled", "__pycache__"))
    shutil.copy(ROOT / "setup.cfg", tmp_path / "setup.cfg")
    names = tmp_path / "toolkit" / "spec" / "names.py"
    names.write_text(names.read_text() + "\n\ndef _late():\n    from toolkit.annex.document import heading  # noqa\n")
    for name in [m for m in sys.modules if m == "toolkit" or m.startswith("toolkit.")]:
        monkeypatch.delitem(sys.modules, name)
    code, out = _lint(tmp_path, capsys)
    assert code != 0
    assert "toolkit.spec.names -> toolkit.annex.document" in out
