"""The units that report (schools, communes, agencies) and the roster that lists them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    levels: tuple[str, ...]
    commune: str = ""
    contact_name: str = ""
    phone: str = ""
    email: str = ""
    tags: tuple[str, ...] = ()  # the roster's own groupings ("DBKK": a commune in extreme difficulty)
    tasks: tuple[str, ...] = ()  # ids of the plan's tasks this unit leads or coordinates
    leads: tuple[str, ...] = ()  # those of them it leads (chủ trì); it coordinates the others


@dataclass(frozen=True)
class Roster:
    units: tuple[Unit, ...]
    path: Path
    unmatched_agencies: tuple[str, ...] = ()  # Vietnamese notes: task agency texts matching no unit
    # Task id -> unit codes, in the order the plan names them (set by toolkit.tasks.agencies.assign_tasks).
    task_leads: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    task_coordinators: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __iter__(self):
        return iter(self.units)

    def __len__(self) -> int:
        return len(self.units)

    def get(self, code: str) -> Unit | None:
        return self._by_code.get(code)

    @property
    def _by_code(self) -> dict[str, Unit]:
        cached = self.__dict__.get("_cache")
        if cached is None:
            cached = {u.code: u for u in self.units}
            object.__setattr__(self, "_cache", cached)
        return cached

    def of_kind(self, kind: str) -> list[Unit]:
        return [u for u in self.units if u.kind == kind]
