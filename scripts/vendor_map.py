"""Vendor the explorer map's files from two npm packages, unpacked (`npm pack leaflet@1.9.4
us-atlas@3.0.1`, then `tar xzf`): Leaflet's dist files, and New York's county outlines as GeoJSON,
decoded from us-atlas's Census county TopoJSON (delta-encoded, quantized arcs).

    python scripts/vendor_map.py <leaflet package dir> <us-atlas package dir>
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[1] / "src" / "hostcap" / "explorer" / "static" / "vendor"
NEW_YORK = "36"  # the state's FIPS code: its counties' IDs start with it
LEAFLET_FILES = ("leaflet.js", "leaflet.css", "images/layers.png", "images/layers-2x.png", "images/marker-icon.png",
                 "images/marker-icon-2x.png", "images/marker-shadow.png")  # fmt: skip


def decode_arcs(topology: dict) -> list[list[list[float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append([round(x * sx + tx, 5), round(y * sy + ty, 5)])
        arcs.append(points)
    return arcs


def ring(arcs: list, indexes: list[int]) -> list[list[float]]:
    points: list[list[float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def counties(topology: dict) -> dict:
    arcs = decode_arcs(topology)
    features = []
    for county in topology["objects"]["counties"]["geometries"]:
        if not county["id"].startswith(NEW_YORK):
            continue
        polygons = [county["arcs"]] if county["type"] == "Polygon" else county["arcs"]
        coordinates = [[ring(arcs, r) for r in polygon] for polygon in polygons]
        geometry = {"type": "MultiPolygon", "coordinates": coordinates}
        features.append({"type": "Feature", "id": county["id"], "properties": {"name": county["properties"]["name"]}, "geometry": geometry})
    features.sort(key=lambda feature: feature["id"])
    return {"type": "FeatureCollection", "features": features}


def main(leaflet: Path, atlas: Path) -> None:
    for name in LEAFLET_FILES:
        target = VENDOR / "leaflet" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(leaflet / "dist" / name, target)
    shutil.copyfile(leaflet / "LICENSE", VENDOR / "leaflet" / "LICENSE")
    topology = json.loads((atlas / "counties-10m.json").read_text())
    (VENDOR / "ny-counties.geojson").write_text(json.dumps(counties(topology), separators=(",", ":")) + "\n")
    shutil.copyfile(atlas / "LICENSE", VENDOR / "us-atlas-LICENSE")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
