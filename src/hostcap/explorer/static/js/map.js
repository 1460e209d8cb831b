// The feeder map: Leaflet (vendored, a global `L`) over New York's county outlines (Census, vendored),
// and over web tiles only when the operator configures a tile server (`/explorer/config.json`).
// Feeders are drawn from the API's GeoJSON, coloured by headroom after the queue; a click opens the
// feeder's page; DER are drawn where the API places them (map-ders.js). What the map draws in its
// view is also given as a table (map-table.js), and the finder lists the same feeders.

import { getJson } from "./api.js";
import { asNode, h } from "./dom.js";
import { counted, mw } from "./format.js";
import { derOverlay, viewBox } from "./map-ders.js";

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
const PHONE = matchMedia("(max-width: 600px)");

const NO_FIGURE = { colour: UNKNOWN, label: "no figure" };

/** The legend's band of a headroom after the queue (MW): its colour and its label in words. */
export const bandOf = (headroom) => (headroom == null ? NO_FIGURE : BANDS.filter((band) => headroom >= band.min).at(-1));
export const colourOf = (headroom) => bandOf(headroom).colour;

let counties = null; // the outlines, fetched once per page load
let config = null; // the operator's settings for the explorer, read once per page load

/** Leaflet writes attributions as HTML: the operator's credit goes in as text. */
const asText = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A map in `container`: call the returned `draw(filters, signal)` to show the feeders a finder
 * query selects (and their DER). `onView(feeders)` is called with the rows of the feeders drawn
 * in the view each time the view or the feeders change; `onDers(summary)` after each DER draw
 * (`{hidden: true}` when the reader turns the DER off, `{error}` when they could not be had).
 */
export function feederMap(container, { onView = () => {}, onDers = () => {} } = {}) {
  const map = L.map(container, { zoomSnap: 0.25, attributionControl: true, keyboard: true });
  map.attributionControl.setPrefix("Leaflet").addAttribution("County outlines: US Census Bureau");
  // the outlines in a pane of their own under the feeders', whichever arrives first
  map.createPane("outlines").style.zIndex = 350;
  const base = L.layerGroup().addTo(map);
  const feeders = L.layerGroup().addTo(map);
  const ders = derOverlay(map);
  ders.layer.addTo(map);
  const layers = L.control
    // open on a laptop; on a phone, folded into its button so it leaves the map readable
    .layers(null, { "Feeders (by headroom)": feeders, "DER (at their feeder's point)": ders.layer }, { collapsed: PHONE.matches })
    .addTo(map);
  map.setView([42.9, -75.5], 6);
  legend().addTo(map);
  const outlines = (async () => {
    config ??= getJson("/explorer/config.json").catch(() => ({ tiles: null })); // the map works without tiles
    counties ??= getJson("/explorer/vendor/ny-counties.geojson");
    const { tiles } = await config;
    if (tiles) {
      const web = L.tileLayer(tiles.url, { attribution: tiles.attribution ? asText(tiles.attribution) : "", maxZoom: 19 });
      web.addTo(map);
      layers.addOverlay(web, "Web map tiles");
    }
    const shape = L.geoJSON(await counties, {
      pane: "outlines",
      interactive: false,
      // over tiles, the outlines are lines only; alone, they are the land
      style: { color: "#9a9486", weight: 1, fillColor: "#f4f1ea", fillOpacity: tiles ? 0 : 1 },
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

  // what is drawn now: the finder's filters and signal, and each located feeder's row and bounds
  let now = null;
  const inView = () => {
    // the view as the API's `bbox`, so the table holds what `/v1/feeders?bbox=` answers for it
    const box = viewBox(map.getBounds());
    container.dataset.view = box; // as `data-drawn`: what the map shows, for tools and tests
    const [west, south, east, north] = box.split(",").map(Number);
    const view = L.latLngBounds([south, west], [north, east]);
    return now.located.filter(({ bounds }) => view.intersects(bounds)).map(({ row }) => row);
  };
  const showDers = async () => {
    if (!now || !map.hasLayer(ders.layer)) return;
    try {
      const summary = await ders.load(now.filters, now.ids, now.signal);
      container.dataset.ders = String(summary.drawn);
      onDers(summary);
    } catch (error) {
      if (error.name !== "AbortError") onDers({ error });
    }
  };
  const viewChanged = () => {
    if (!now) return;
    onView(inView());
    showDers();
  };
  map.on("moveend", viewChanged);
  map.on("overlayadd", (event) => event.layer === ders.layer && showDers());
  map.on("overlayremove", (event) => event.layer === ders.layer && onDers({ hidden: true }));

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
        shape.bindTooltip(asNode(`${f.native_feeder_id} · ${mw(f.headroom_after_queue_mw)} headroom after the queue`));
        shape.on("click", () => {
          location.hash = `#/feeders/${f.feeder_id}`;
        });
      },
    });
    feeders.clearLayers();
    feeders.addLayer(layer);
    const located = layer.getLayers().map((shape) => ({
      row: shape.feature.properties,
      bounds: shape.getBounds ? shape.getBounds() : L.latLngBounds([shape.getLatLng()]),
    }));
    now = { filters, signal, located, ids: new Set(located.map(({ row }) => row.feeder_id)) };
    const drawn = located.length;
    // fitting moves the view, which lists the feeders in it and draws their DER (moveend)
    fit(drawn ? layer.getBounds() : await outlines);
    container.dataset.drawn = String(drawn);
    return { drawn, count: collection.count, shown: collection.features.length };
  };
  return { map, draw };
}

/** The legend in words beside each colour; folded on a phone, where it would hide the map. */
function legend() {
  const control = L.control({ position: "bottomright" });
  control.onAdd = () => {
    const box = h(
      "details",
      { class: "map-legend", open: !PHONE.matches },
      h("summary", {}, "Headroom after queue (MW)"),
      h(
        "ul",
        {},
        [...BANDS, NO_FIGURE].map((band) =>
          h("li", {}, h("span", { class: "swatch", style: `background:${band.colour}`, "aria-hidden": "true" }), band.label),
        ),
        h("li", {}, h("span", { class: "swatch der", "aria-hidden": "true" }), "DER, at their feeder's point"),
      ),
    );
    L.DomEvent.disableClickPropagation(box); // opening it is no click on the map
    return box;
  };
  return control;
}

/** The line under the map: how many of the matching feeders it draws, and why not the others. */
export function mapNote({ drawn, count, shown }) {
  let text = `The map draws ${counted(drawn, "feeder")} with a location`;
  if (shown < count) text += ` (of the first ${counted(shown, "feeder")} of ${counted(count, "match", "matches")})`;
  if (drawn < shown) text += `; ${counted(shown - drawn, "feeder")} without geometry in the source are in the table only`;
  return `${text}.`;
}
