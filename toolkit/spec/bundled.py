"""The example plans shipped with the toolkit. Imports nothing heavy: the command line's help lists them."""

from __future__ import annotations

from pathlib import Path

BUNDLED = Path(__file__).resolve().parents[1] / "bundled"


def bundled_examples() -> list[str]:
    """Names of the example plans shipped with the toolkit."""
    return sorted(p.name for p in BUNDLED.iterdir() if (p / "plan.yaml").exists())
