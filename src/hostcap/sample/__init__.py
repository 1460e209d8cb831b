"""Realistic, deterministic sample files for the five NY utilities' hosting-capacity and DER data.

The files follow ``source-formats.md`` exactly (column names, units, null tokens, quirks), so the pipeline
and its source configs can be developed, tested and benchmarked without the utilities' real files. Each
utility has its own module; ``arcgis`` (Con Edison / O&R layer) and ``sir`` (DPS inventory workbook) are
formats shared by several utilities. Same seed and scale give byte-identical files; ``scale=1`` is about
the statewide real size.
"""

from __future__ import annotations

from pathlib import Path

from hostcap.sample import central_hudson, coned, national_grid, nyseg_rge, orange_rockland
from hostcap.sample.nyseg_rge import write_nyseg_network_for_circuits

__all__ = ["generate_sample", "write_nyseg_network_for_circuits"]

_UTILITIES = (nyseg_rge, national_grid, coned, orange_rockland, central_hudson)


def generate_sample(out_dir: Path, scale: float = 0.01, seed: int = 42) -> dict[str, list[Path]]:
    """Write all five utilities' files under out_dir; return {source_id: [files written]}.

    ``source_id`` is ``<utility>/<dataset>``, which is also the directory the files are written to.
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    written: dict[str, list[Path]] = {}
    for utility in _UTILITIES:
        written.update(utility.write(Path(out_dir), scale, seed))
    return written
