// The offline world base map: Natural Earth 1:50m land, coastlines and borders from the npm
// package world-atlas (TopoJSON, decoded with topojson-client), plus a 10-degree graticule.
// No tiles and no network: the data is bundled into app.js.
//
// The picture draws longitudes in a frame [west, west + 360) chosen by the server so that
// nothing watched is cut (pipeline/picture/frame.py). The base map is drawn in every
// 360-degree copy that meets the frame (and half a turn either side), so the map is
// continuous across the antimeridian wherever the view is.
import L from "leaflet";
import { feature, mesh } from "topojson-client";
import world from "world-atlas/countries-50m.json";

const LAND = { stroke: false, fill: true, fillColor: "#1b2633", fillOpacity: 1, interactive: false };
const COAST = { color: "#5d7a96", weight: 0.8, opacity: 0.9, interactive: false };
const BORDER = { color: "#44566a", weight: 0.6, opacity: 0.8, dashArray: "3 3", interactive: false };
const GRATICULE = { color: "#22405e", weight: 0.5, opacity: 0.6, interactive: false };
const ANTIMERIDIAN = { color: "#4f7aa3", weight: 1, opacity: 0.8, dashArray: "2 6", interactive: false };

/** Natural Earth rings and lines that cross the antimeridian jump from +180 to -180 (Eurasia
 * at Chukotka, Wrangel Island, Fiji). Each point is moved by whole turns to within half a
 * turn of the previous one, so they become continuous in the picture's frame. */
function unwrap(line) {
  const out = [line[0]];
  for (let i = 1; i < line.length; i += 1) {
    const prev = out[i - 1][0];
    const x = prev + ((((line[i][0] - prev + 180) % 360) + 360) % 360) - 180;
    out.push([x, line[i][1]]);
  }
  return out;
}

/** A ring that goes once round the pole (Antarctica) does not close when unwrapped: it is
 * closed along the pole instead. */
function unwrapRing(ring) {
  const out = unwrap(ring);
  const first = out[0];
  const last = out[out.length - 1];
  if (Math.abs(last[0] - first[0]) > 180) {
    const pole = out.reduce((sum, p) => sum + p[1], 0) < 0 ? -90 : 90;
    out.push([last[0], pole], [first[0], pole], first);
  }
  return out;
}

function unwrapLand(land) {
  const polygons = land.features[0].geometry.coordinates.map((polygon) => polygon.map(unwrapRing));
  return { type: "MultiPolygon", coordinates: polygons };
}

/** Line work without the edges Natural Earth adds along the poles to close Antarctica. */
function unwrapLines(lines) {
  const polar = (a, b) => Math.abs(a[1]) >= 89.9 && Math.abs(b[1]) >= 89.9;
  const out = [];
  for (const line of lines.map(unwrap)) {
    let run = [line[0]];
    for (let i = 1; i < line.length; i += 1) {
      if (polar(line[i - 1], line[i])) {
        if (run.length > 1) out.push(run);
        run = [line[i]];
      } else {
        run.push(line[i]);
      }
    }
    if (run.length > 1) out.push(run);
  }
  return { type: "MultiLineString", coordinates: out };
}

/** Longitude offsets (multiples of 360) of the copies that meet [west - 180, east + 180]. */
export function copyOffsets(west) {
  const offsets = [];
  for (let k = -2; k <= 2; k += 1) {
    const lo = -180 + 360 * k;
    const hi = 180 + 360 * k;
    if (hi > west - 180 && lo < west + 540) offsets.push(360 * k);
  }
  return offsets;
}

function graticule(west, renderer) {
  const lines = [];
  for (let lat = -80; lat <= 80; lat += 10) {
    lines.push([[lat, west - 180], [lat, west + 540]]);
  }
  for (let x = Math.ceil((west - 180) / 10) * 10; x <= west + 540; x += 10) {
    lines.push([[-85, x], [85, x]]);
  }
  return L.polyline(lines, { ...GRATICULE, renderer });
}

/** The 180th meridian (in every copy), marked: the picture is continuous across it. */
function antimeridian(west, renderer, group) {
  for (let x = 180 + 360 * Math.ceil((west - 360) / 360); x <= west + 540; x += 360) {
    group.addLayer(L.polyline([[-85, x], [85, x]], { ...ANTIMERIDIAN, renderer }));
    for (const lat of [-60, -30, 0, 30, 60]) {
      group.addLayer(L.tooltip({
        permanent: true, direction: "right", className: "meridian-label", interactive: false,
        offset: [2, 0],
      }).setLatLng([lat + 2, x]).setContent("180°"));
    }
  }
}

/** Adds the base map for a frame starting at `west` to `map`; returns the layer group. */
export function addBaseMap(map, west) {
  const renderer = L.canvas({ padding: 0.3 });
  const land = unwrapLand(feature(world, world.objects.land));
  const coast = unwrapLines(mesh(world, world.objects.land).coordinates);
  const borders = unwrapLines(mesh(world, world.objects.countries, (a, b) => a !== b).coordinates);
  const group = L.layerGroup();
  group.addLayer(graticule(west, renderer));
  antimeridian(west, renderer, group);
  for (const offset of copyOffsets(west)) {
    const shift = (c) => L.latLng(c[1], c[0] + offset);
    group.addLayer(L.geoJSON(land, { style: LAND, coordsToLatLng: shift, renderer }));
    group.addLayer(L.geoJSON(borders, { style: BORDER, coordsToLatLng: shift, renderer }));
    group.addLayer(L.geoJSON(coast, { style: COAST, coordsToLatLng: shift, renderer }));
  }
  group.addTo(map);
  return group;
}
