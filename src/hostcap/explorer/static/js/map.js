// The feeder map: Leaflet (vendored, a global `L`) over New York's county outlines (Census, vendored),
// no tile server. Feeders are drawn from the API's GeoJSON, coloured by headroom after the queue;
// a click opens the feeder's page. The same feeders are listed in the finder's table.

import { getJson } from "./api.js";
import { h } from "./dom.js";
import { counted, mw } from "./format.js";

/** Headroom after the queue (MW) → colour: lower bound of each band, most room last. */
export const BANDS = [
  { min: -Infinity, colour: "#b2182b", label: "below 0" },
  { min: 0, colour: "#ef8a62", label: "0–1" },
  { min: 1, colour: "#c9b200", label: "1–2" },
  { min: 2, colour: "#67a9cf", label: "2–5" },
  { min: 5, colour: "#2166ac", label: "5 and more" },
];
const UNKNOWN = "#777777";
/** More feeders than this are not drawn at once: their lines would take longer to load than to read. */
export const MAP_LIMIT = 2000;

export const colourOf = (headroom) =>
  headroom == null ? UNKNOWN : BANDS.filter((band) => headroom >= band.min).at(-1).colour;

let counties = null; // the outlines, fetched once per page load

/** A map in `container`: call the returned `draw(filters)` to show the feeders a finder query selects. */
export function feederMap(container) {
  const map = L.map(container, { zoomSnap: 0.25, attributionControl: true, keyboard: true });
  map.attributionControl.setPrefix("Leaflet").addAttribution("County outlines: US Census Bureau");
  // the outlines in a pane of their own under the feeders', whichever arrives first
  map.createPane("outlines").style.zIndex = 350;
  const base = L.layerGroup().addTo(map);
  const feeders = L.layerGroup().addTo(map);
  map.setView([42.9, -75.5], 6);
  legend().addTo(map);
  const outlines = (async () => {
    counties ??= getJson("/explorer/vendor/ny-counties.geojson");
    const shape = L.geoJSON(await counties, {
      pane: "outlines",
      interactive: false,
      style: { color: "#9a9486", weight: 1, fillColor: "#f4f1ea", fillOpacity: 1 },
    });
    base.addLayer(shape);
    return shape.getBounds();
  })();

  let shown = null; // the bounds last fitted: fitted again when the map's box changes size
  const fit = (bounds) => {
    shown = bounds;
    map.fitBounds(bounds, { padding: [12, 12], maxZoom: 14, animate: false });
  };
  map.on("resize", () => shown && fit(shown));

  const draw = async (filters, signal) => {
    const collection = await getJson("/v1/feeders", { ...filters, format: "geojson", limit: MAP_LIMIT }, signal);
    const layer = L.geoJSON(collection, {
      style: (feature) => ({
        color: colourOf(feature.properties.headroom_after_queue_mw),
        weight: 3,
        opacity: 0.9,
        className: `feeder feeder-${feature.properties.feeder_id}`,
      }),
      pointToLayer: (feature, at) => L.circleMarker(at, { radius: 5, fillOpacity: 0.9 }),
      onEachFeature: (feature, shape) => {
        const f = feature.properties;
        shape.bindTooltip(`${f.native_feeder_id} · ${mw(f.headroom_after_queue_mw)} headroom after the queue`);
        shape.on("click", () => {
          location.hash = `#/feeders/${f.feeder_id}`;
        });
      },
    });
    feeders.clearLayers();
    feeders.addLayer(layer);
    const drawn = collection.features.filter((feature) => feature.geometry).length;
    fit(drawn ? layer.getBounds() : await outlines);
    container.dataset.drawn = String(drawn);
    return { drawn, count: collection.count, shown: collection.features.length };
  };
  return { map, draw };
}

function legend() {
  const control = L.control({ position: "bottomright" });
  control.onAdd = () =>
    h(
      "div",
      { class: "map-legend" },
      h("strong", {}, "Headroom after queue (MW)"),
      h(
        "ul",
        {},
        [...BANDS, { colour: UNKNOWN, label: "no figure" }].map((band) =>
          h("li", {}, h("span", { class: "swatch", style: `background:${band.colour}` }), band.label),
        ),
      ),
    );
  return control;
}

/** The line under the map: how many of the matching feeders it draws, and why not the others. */
export function mapNote({ drawn, count, shown }) {
  let text = `The map draws ${counted(drawn, "feeder")} with a location`;
  if (shown < count) text += ` (of the first ${counted(shown, "feeder")} of ${counted(count, "match", "matches")})`;
  if (drawn < shown) text += `; ${counted(shown - drawn, "feeder")} without geometry in the source are in the table only`;
  return `${text}.`;
}
