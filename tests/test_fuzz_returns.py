"""Fuzzing: a few hundred mutants of a real return (zip members dropped, duplicated or cut short,
bytes flipped in the sheet XML, namespaces swapped, the file cut) in the folder with clean returns.
The run must finish, stay within its memory budget, and leave every other unit's results as they
are without the mutants."""

from __future__ import annotations

import random
import warnings
import zipfile
from pathlib import Path

from hostile import assert_others_unchanged, collect_quietly, make_clean_returns
from toolkit.collect.folder import WORKER_MEMORY

SOURCE = "XA_BAN_CAM"
MUTANTS = 300
NAMESPACES = [(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main"),
              (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
               b"http://purl.oclc.org/ooxml/officeDocument/relationships"),
              (b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"urn:example:not-a-spreadsheet")]


def mutate(source: Path, target: Path, rng: random.Random) -> str:
    """One random mutation of `source` written to `target`; returns what was done."""
    with zipfile.ZipFile(source) as original:
        members = [(item, original.read(item)) for item in original.infolist()]
    how = rng.choice(["drop", "duplicate", "cut member", "flip", "namespace", "cut file"])
    if how == "cut file":
        data = source.read_bytes()
        target.write_bytes(data[:rng.randrange(1, len(data))])
        return how
    victim = rng.randrange(len(members))
    if how == "namespace":
        xml = [i for i, (item, _) in enumerate(members) if item.filename.endswith(".xml")]
        victim = rng.choice(xml)
    with warnings.catch_warnings(), zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        warnings.simplefilter("ignore")  # "Duplicate name": exactly what is wanted
        for index, (item, data) in enumerate(members):
            if index == victim:
                if how == "drop":
                    continue
                if how == "duplicate":
                    copy.writestr(item, data)
                elif how == "cut member":
                    data = data[:rng.randrange(len(data) + 1)]
                elif how == "flip":
                    data = bytearray(data)
                    for _ in range(rng.randint(1, 8)):
                        data[rng.randrange(len(data))] = rng.randrange(256)
                    data = bytes(data)
                else:
                    old, new = rng.choice(NAMESPACES)
                    data = data.replace(old, new)
            copy.writestr(item, data)
    return how


def test_hundreds_of_mutated_returns_change_no_other_units_results(plan, roster, tmp_path):
    sent = make_clean_returns(plan, roster, tmp_path)
    folder = tmp_path / "returns"
    baseline = collect_quietly(plan, roster, folder)
    assert set(baseline.returns) == set(sent)

    rng = random.Random(20221210)
    mutations = {}
    for number in range(MUTANTS):
        target = folder / "dot_bien" / f"{number:03d}.xlsx"
        target.parent.mkdir(exist_ok=True)
        mutations[target.name] = mutate(sent[SOURCE], target, rng)
    assert set(mutations.values()) == {"drop", "duplicate", "cut member", "flip", "namespace", "cut file"}

    collection = collect_quietly(plan, roster, folder, workers=2)  # in worker processes, as a province is read
    assert_others_unchanged(plan, roster, collection, baseline, {SOURCE})
    # Every mutant is accounted for: refused with a message, or read (as the unit's file or a copy of it).
    named = {Path(i.file).name for i in collection.issues if i.file} | {r.file.name for r in collection.returns.values()}
    assert set(mutations) <= named | {f"{SOURCE}.xlsx"}
    assert all(i.message for i in collection.issues)
    try:
        import resource
    except ImportError:  # Windows: no memory cap to check
        return
    # The workers stayed within their memory budget (ru_maxrss is in KiB on Linux).
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 < WORKER_MEMORY
