"""Shared fixtures: the test district's plan, its roster, and the real LibreOffice program."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest
import yaml

from toolkit.jobs.pipeline import load_roster
from toolkit.spec.load import load_plan

# The plan that encodes ../shared/domain (the test district's catalogue) exactly; the bundled
# bao-thang-2022 example follows the signed plan (seed 000) instead.
DOMAIN_PLAN = Path(__file__).resolve().parent / "data" / "domain-district" / "plan.yaml"


@pytest.fixture(scope="session")
def plan():
    """The test district's plan (tests/data/domain-district)."""
    return load_plan(DOMAIN_PLAN)


@pytest.fixture(scope="session")
def roster(plan):
    """The bundled plan's 98 units."""
    return load_roster(plan.roster_path, plan)


@pytest.fixture(scope="session")
def soffice():
    """Path of LibreOffice's `soffice`; skips the test when LibreOffice is not installed."""
    path = shutil.which("soffice")
    if path is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    return path


@pytest.fixture(scope="session")
def lo_profile(tmp_path_factory):
    """One LibreOffice user profile for the test session (pass as -env:UserInstallation=<uri>):
    creating a profile costs seconds, and runs with separate profiles cannot collide."""
    return tmp_path_factory.mktemp("lo_profile")


@pytest.fixture(scope="session")
def edited_example(tmp_path_factory) -> Callable[[Callable[[dict], object]], Path]:
    """`edited_example(edit)`: a copy of the test district's plan (with its roster) in a fresh folder,
    its plan data changed in place by `edit`; returns the plan file's path."""
    def make(edit: Callable[[dict], object]) -> Path:
        folder = shutil.copytree(DOMAIN_PLAN.parent, tmp_path_factory.mktemp("plan"), dirs_exist_ok=True)
        data = yaml.safe_load((folder / "plan.yaml").read_text(encoding="utf-8"))
        edit(data)
        (folder / "plan.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return folder / "plan.yaml"

    return make
