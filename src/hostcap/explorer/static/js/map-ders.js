// DER on the feeder map. No source publishes where a DER sits: the API places each at its feeder's
// representative point and says so (`location_source: "feeder_point"`). So the map draws one
// marker per located point, aggregating the DER placed there, and says they are at their feeder's
// point, not their site; a DER whose row carries a location of its own is drawn there instead.

import { getJson } from "./api.js";
import { asNode, h } from "./dom.js";
import { count, counted, mw } from "./format.js";

/** More DER than this are not fetched for one view: the note says how many were left out. */
export const DER_LIMIT = 2000;
/** The DER a developer weighs against headroom: what is built and what is queued. */
const STATUSES = ["installed", "planned"];
export const FEEDER_POINT = "feeder_point";

/**
 * The located points of DER `features` (the API's GeoJSON), installed and planned counted and
 * summed apart: DER placed at a feeder's point share one point per feeder; any other DER, one
 * per location and source. Only DER of a feeder in `feederIds` are kept (the feeders drawn).
 */
export function derPoints(features, feederIds) {
  const points = new Map();
  for (const { geometry, properties: d } of features) {
    if (!geometry || !feederIds.has(d.feeder_id)) continue;
    const [lon, lat] = geometry.coordinates;
    const source = d.location_source ?? FEEDER_POINT;
    const key = source === FEEDER_POINT ? `${source}|${d.feeder_id}` : `${source}|${lon},${lat}`;
    if (!points.has(key)) {
      const empty = () => ({ count: 0, kw: 0 });
      points.set(key, { at: [lat, lon], source, feeder: d.native_feeder_id, feederId: d.feeder_id, installed: empty(), planned: empty() });
    }
    const tally = points.get(key)[d.status];
    tally.count += 1;
    tally.kw += d.nameplate_kw ?? 0;
  }
  return [...points.values()];
}

/** What a point's tooltip says: how many DER, of which status and MW, and where they really are. */
export function derText(point) {
  const total = point.installed.count + point.planned.count;
  const where =
    point.source === FEEDER_POINT
      ? `placed at feeder ${point.feeder}'s representative point, not their sites (no source publishes where DER sit)`
      : `at their own location (${point.source})`;
  const part = (name) => `${count(point[name].count)} ${name} (${mw(point[name].kw / 1000)})`;
  return `${counted(total, "DER", "DER")} ${where}: ${part("installed")}, ${part("planned")}.`;
}

/** The DER overlay of `map`: `load(filters, feederIds, signal)` draws the DER of the feeders drawn
 * that lie in the map's view, fetched for that view only and at most DER_LIMIT of them. */
export function derOverlay(map) {
  map.createPane("ders").style.zIndex = 450; // over the feeders' lines, under tooltips
  const layer = L.layerGroup();
  let loading = null; // the fetch of the view before: a newer view cancels it

  const load = async (filters, feederIds, signal) => {
    loading?.abort();
    if (!feederIds.size) {
      layer.clearLayers();
      return { points: 0, drawn: 0, fetched: 0, count: 0 };
    }
    const own = new AbortController();
    loading = own;
    const query = {
      utility: filters.utility,
      status: STATUSES,
      bbox: viewBox(map.getBounds()),
      format: "geojson",
      limit: DER_LIMIT,
    };
    const collection = await getJson("/v1/ders", query, AbortSignal.any([signal, own.signal]));
    const points = derPoints(collection.features, feederIds);
    layer.clearLayers();
    for (const point of points) {
      const total = point.installed.count + point.planned.count;
      const marker = L.circleMarker(point.at, {
        pane: "ders",
        // small enough to leave the feeder's lines readable around it; larger with more DER
        radius: Math.min(3 + 0.6 * Math.sqrt(total), 8),
        color: "#ffffff",
        weight: 1,
        fillColor: "#5b2a86",
        fillOpacity: 0.7,
        className: `der-point der-at-${point.feederId}`,
      });
      marker.bindTooltip(asNode(derText(point)));
      layer.addLayer(marker);
    }
    const drawn = points.reduce((sum, p) => sum + p.installed.count + p.planned.count, 0);
    return { points: points.length, drawn, fetched: collection.features.length, count: collection.count };
  };
  return { layer, load };
}

/** A Leaflet view as the API's `bbox` (minlon,minlat,maxlon,maxlat), kept on the Earth. */
export function viewBox(bounds) {
  const clamp = (value, limit) => Math.max(-limit, Math.min(limit, value)).toFixed(6);
  return [
    clamp(bounds.getWest(), 180),
    clamp(bounds.getSouth(), 90),
    clamp(bounds.getEast(), 180),
    clamp(bounds.getNorth(), 90),
  ].join(",");
}

/** The note's sentence on DER: how many the map draws, at how many points, and what it left out
 * (or that they are turned off, or could not be had). */
export function derNote({ points, drawn, fetched, count, hidden = false, error = null }) {
  if (hidden) return "DER: turned off in the map's layer control.";
  if (error) return h("span", { class: "error" }, `DER: ${error.message}`);
  let text = `DER: ${counted(drawn, "installed or planned DER", "installed or planned DER")} of the feeders drawn in view, at ${counted(points, "point")} (each at its feeder's point: no source publishes DER sites)`;
  if (fetched < count) text += `; only the first ${counted(fetched, "DER", "DER")} of ${counted(count, "DER", "DER")} in view are fetched: zoom in to see the rest`;
  return `${text}.`;
}
