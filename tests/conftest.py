"""Shared fixtures: the bundled example plan, its roster, and the real LibreOffice program."""

from __future__ import annotations

import shutil

import pytest

from toolkit.roster import load_roster
from toolkit.spec import load_plan


@pytest.fixture(scope="session")
def plan():
    """The bundled bao-thang-2022 plan."""
    return load_plan("bao-thang-2022")


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
