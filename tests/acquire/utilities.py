"""Each utility's network layer as the emulator serves it, and what gold must make of it.

One entry per live network config (sources-live/<utility>/network.yaml): the layer with the
utility's real field names, and, from its rows, the segments and feeders gold must hold (the
rows its config's rules keep). The per-utility tests and the end-to-end test share it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.acquire.emulator import Layer
from tests.acquire.layers import cecony_family, central_hudson, national_grid_feeders, nyseg_rge


@dataclass(frozen=True)
class LiveLayer:
    """A utility's layer: how to make it, its field names for the feeder, max HC, load zone and
    voltage, the grain of its rows, and which rows gold keeps."""

    make: Callable[..., Layer]
    feeder: str
    max_hc: str
    zone: str
    voltage: str
    grain: str = "segment"
    keep: Callable[[dict], bool] = lambda row: True

    def kept(self, layer: Layer) -> list[dict]:
        return [row for row in layer.rows if self.keep(row)]

    def segments(self, layer: Layer) -> dict[str, float]:
        """Gold's segments: native segment ID (the object ID) → max HC (MW)."""
        if self.grain != "segment":
            return {}
        return {str(row["OBJECTID"]): row[self.max_hc] for row in self.kept(layer)}

    def feeders(self, layer: Layer) -> dict[str, tuple[str, float]]:
        """Gold's feeders: native feeder ID → (NYISO load zone, voltage in kV)."""
        return {str(row[self.feeder]).upper(): (row[self.zone], row[self.voltage]) for row in self.kept(layer)}


ORU_COMPANIES = {1: "ORU", 2: "RECO"}

LIVE_LAYERS: dict[str, LiveLayer] = {
    "coned/network": LiveLayer(cecony_family, "FEEDER_ID", "LOCAL_MAX", "NYISO_LOAD_ZONE", "LOCAL_VOLTAGE"),
    "orange_rockland/network": LiveLayer(
        lambda n, **kw: cecony_family(n, feeder_field="CIRCUIT", company=ORU_COMPANIES, seed=5, **kw),
        "CIRCUIT",
        "LOCAL_MAX",
        "NYISO_LOAD_ZONE",
        "LOCAL_VOLTAGE",
        keep=lambda row: ORU_COMPANIES[row["OPERATINGCOMPANY"]] != "RECO",
    ),
    "central_hudson/network": LiveLayer(
        central_hudson, "Feeder", "HCMax", "LoadZone", "Voltage_kV", keep=lambda row: row["Feeder"] is not None
    ),
    "national_grid/network": LiveLayer(
        national_grid_feeders, "Master_CDF", "feeder_max_hc", "nyiso_load_zone", "feeder_voltage", grain="feeder"
    ),
    "nyseg_rge/network": LiveLayer(nyseg_rge, "circuit_1", "MAX_hostin", "Zone", "VOLTAGE"),
}
