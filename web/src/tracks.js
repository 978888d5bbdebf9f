// Tracks: a MIL-STD-2525C symbol (drawn by milsymbol from the SIDC the server computed for
// the track's standard identity and kind) at the latest position, a short trail, the
// callsign, and the details on hover. Positions arrive in frame longitudes (`x`), already
// unwrapped along the trail, so nothing here needs to know about the antimeridian.
import L from "leaflet";
import ms from "milsymbol";
import {
  IDENTITY_COLOUR, IDENTITY_LABEL, altitude, escapeHtml, heading, hhmmss, identityClass, lat,
  lon, speed,
} from "./format.js";

const SYMBOL_SIZE = 22;
const DIRECTION_STEP_DEG = 5; // symbols are cached per 5 degrees of heading

const symbolCache = new Map();

/** milsymbol's SVG for a SIDC and heading, with its size and the anchor (symbol centre). */
export function symbol(sidc, directionDeg, size = SYMBOL_SIZE) {
  const dir = directionDeg == null ? null
    : (Math.round(directionDeg / DIRECTION_STEP_DEG) * DIRECTION_STEP_DEG) % 360;
  const key = `${sidc}|${dir}|${size}`;
  let entry = symbolCache.get(key);
  if (!entry) {
    const options = { size, infoColor: "#d8e6f3", outlineWidth: 2, outlineColor: "#08121d" };
    if (dir != null) options.direction = dir;
    const s = new ms.Symbol(sidc, options);
    entry = { svg: s.asSVG(), anchor: s.getAnchor(), size: s.getSize(), valid: s.isValid() };
    symbolCache.set(key, entry);
  }
  return entry;
}

function label(t) {
  return t.callsign || t.id.replace(/^[a-z0-9]+:/, "").toUpperCase();
}

function tooltipHtml(t, zoneName) {
  const kind = t.kind === "vessel" ? "vessel" : "aircraft";
  const facts = [
    IDENTITY_LABEL[t.identity] ?? t.identity,
    t.aircraft_type,
    t.country,
    t.military === true ? "military" : t.military === false ? "civil" : null,
  ].filter(Boolean).map(escapeHtml).join(" · ");
  const motion = kind === "vessel"
    ? `${speed(t.speed_kt)} · ${heading(t.track_deg)}`
    : `${altitude(t.alt_ft)} · ${speed(t.speed_kt)} · ${heading(t.track_deg)}`;
  const squawk = t.squawk
    ? `<div class="${t.emergency ? "tip-emergency" : ""}">squawk ${escapeHtml(t.squawk)}${t.emergency ? " EMERGENCY" : ""}</div>`
    : "";
  const zones = t.zones && t.zones.length
    ? `<div class="tip-zones">inside ${t.zones.map((z) => escapeHtml(zoneName(z))).join(", ")}</div>` : "";
  return `<div class="tip-title"><b>${escapeHtml(label(t))}</b> <span class="tip-id">${escapeHtml(t.id)}</span></div>
<div class="tip-facts">${facts}</div>
<div class="tip-motion">${motion}</div>${squawk}${zones}
<div class="tip-pos">${lat(t.lat)} ${lon(t.x)} · ${hhmmss(t.ts_ms)}${t.stale ? " · stale" : ""}</div>`;
}

function iconFor(t, selected) {
  const sym = symbol(t.sidc, t.track_deg);
  const classes = ["trk", identityClass(t.identity)];
  if (t.emergency) classes.push("emergency");
  if (t.stale) classes.push("stale");
  if (selected) classes.push("selected");
  const { width, height } = sym.size;
  const html = `<div class="${classes.join(" ")}" data-track-id="${escapeHtml(t.id)}"
 data-sidc="${escapeHtml(t.sidc)}" data-identity="${escapeHtml(t.identity)}"
 data-kind="${escapeHtml(t.kind)}" data-emergency="${t.emergency}" data-valid-symbol="${sym.valid}"
 style="width:${width}px;height:${height}px">
<span class="ring" style="left:${sym.anchor.x}px;top:${sym.anchor.y}px"></span>${sym.svg}
<span class="lbl" style="left:${sym.anchor.x + SYMBOL_SIZE * 0.75}px;top:${sym.anchor.y - 8}px">${escapeHtml(label(t))}</span></div>`;
  return L.divIcon({
    html, className: "trk-icon", iconSize: [width, height], iconAnchor: [sym.anchor.x, sym.anchor.y],
  });
}

const iconKey = (t, selected) =>
  [t.sidc, t.identity, Math.round((t.track_deg ?? -5) / DIRECTION_STEP_DEG), t.emergency,
    t.stale, label(t), selected].join("|");

function zIndex(t) {
  if (t.emergency) return 3000;
  if (t.identity === "hostile" || t.identity === "suspect") return 2000;
  return t.identity === "unknown" ? 1000 : 0;
}

export class TrackLayer {
  /** `zoneName(id)` gives a zone's name for the hover details. */
  constructor(map, zoneName = (id) => id) {
    this.map = map;
    this.zoneName = zoneName;
    this.trails = L.layerGroup().addTo(map);
    this.markers = L.layerGroup().addTo(map);
    this.byId = new Map(); // id -> { data, marker, trail, key }
    this.selected = null;
  }

  clear() {
    this.trails.clearLayers();
    this.markers.clearLayers();
    this.byId.clear();
  }

  upsert(t) {
    const entry = this.byId.get(t.id);
    const selected = this.selected === t.id;
    const colour = IDENTITY_COLOUR[t.identity] ?? "#ffffff";
    const trailStyle = { color: colour, weight: 1.6, opacity: t.stale ? 0.3 : 0.75, interactive: false };
    if (!entry) {
      const marker = L.marker([t.lat, t.x], {
        icon: iconFor(t, selected), keyboard: false, zIndexOffset: zIndex(t), riseOnHover: true,
      });
      marker.bindTooltip(tooltipHtml(t, this.zoneName), { direction: "right", offset: [14, 0], className: "trk-tip" });
      const trail = L.polyline(t.trail, { ...trailStyle, className: "trail" });
      this.trails.addLayer(trail);
      this.markers.addLayer(marker);
      this.byId.set(t.id, { data: t, marker, trail, key: iconKey(t, selected) });
      return;
    }
    entry.data = t;
    entry.marker.setLatLng([t.lat, t.x]);
    const key = iconKey(t, selected);
    if (key !== entry.key) {
      entry.marker.setIcon(iconFor(t, selected));
      entry.marker.setZIndexOffset(zIndex(t));
      entry.key = key;
    }
    entry.marker.setTooltipContent(tooltipHtml(t, this.zoneName));
    entry.trail.setLatLngs(t.trail);
    entry.trail.setStyle(trailStyle);
  }

  remove(id) {
    const entry = this.byId.get(id);
    if (!entry) return;
    this.markers.removeLayer(entry.marker);
    this.trails.removeLayer(entry.trail);
    this.byId.delete(id);
  }

  get(id) {
    return this.byId.get(id)?.data;
  }

  /** Mark `id` as the selected track (ring around its symbol). */
  select(id) {
    const previous = this.selected;
    this.selected = id;
    for (const other of [previous, id]) {
      const entry = other && this.byId.get(other);
      if (entry) {
        entry.marker.setIcon(iconFor(entry.data, this.selected === other));
        entry.key = iconKey(entry.data, this.selected === other);
      }
    }
  }

  bounds() {
    let b = null;
    for (const { data } of this.byId.values()) {
      b = b ? b.extend([data.lat, data.x]) : L.latLngBounds([data.lat, data.x], [data.lat, data.x]);
    }
    return b;
  }
}
