// The watch-floor picture: a Leaflet map without tiles (offline base map, zones, tracks),
// the alert list and the top bar, fed by the server's Server-Sent Events: one `snapshot`
// when the page connects (so a page opened late starts with the current picture), then a
// `delta` a few times a second.
import "leaflet/dist/leaflet.css";
import "./style.css";
import L from "leaflet";
import { AlertList } from "./alerts.js";
import { addBaseMap } from "./basemap.js";
import { Hud } from "./hud.js";
import { Legend } from "./legend.js";
import { TrackLayer } from "./tracks.js";
import { ZoneLayer } from "./zones.js";

const FOCUS_ZOOM = 5; // clicking an alert zooms in to at least this (about 40 degrees across)

const mapElement = document.getElementById("map");
const map = L.map(mapElement, {
  zoomControl: true,
  attributionControl: true,
  minZoom: 2,
  maxZoom: 11,
  zoomSnap: 0.25,
  worldCopyJump: false, // longitudes are already continuous in the picture's frame
  center: [45, 180],
  zoom: 3,
});
map.attributionControl.setPrefix(false);
map.attributionControl.addAttribution("Natural Earth · MIL-STD-2525C symbols by milsymbol · adizwatch");

const hud = new Hud();
const legend = new Legend().addTo(map);
const zones = new ZoneLayer(map);
const tracks = new TrackLayer(map, (id) => zones.name(id));
const alerts = new AlertList(document.getElementById("alerts"), (alert) => focusTrack(alert.track_id, alert));

let frameWest = null;
let homed = false;

function recordView() {
  const c = map.getCenter();
  mapElement.dataset.centerLat = c.lat.toFixed(4);
  mapElement.dataset.centerX = c.lng.toFixed(4);
  mapElement.dataset.zoom = String(map.getZoom());
}
map.on("moveend", recordView);
recordView();

/** Centre the map on the track's latest position (or the alert's, if the track is gone). */
function focusTrack(trackId, alert) {
  const t = tracks.get(trackId);
  const target = t ? [t.lat, t.x] : [alert.lat, alert.x];
  tracks.select(trackId);
  mapElement.dataset.focusTrack = trackId;
  mapElement.dataset.focusLat = target[0].toFixed(4);
  mapElement.dataset.focusX = target[1].toFixed(4);
  map.setView(target, Math.max(map.getZoom(), FOCUS_ZOOM), { animate: false });
  const entry = tracks.byId.get(trackId);
  if (entry) entry.marker.openTooltip();
}

function home() {
  const b = zones.bounds() ?? tracks.bounds();
  if (b) map.fitBounds(b, { padding: [20, 20], animate: false });
}

const HomeControl = L.Control.extend({
  options: { position: "topleft" },
  onAdd() {
    const bar = L.DomUtil.create("div", "leaflet-bar picture-buttons");
    const button = (text, title, action) => {
      const a = L.DomUtil.create("a", "", bar);
      a.href = "#";
      a.textContent = text;
      a.title = title;
      L.DomEvent.on(a, "click", (e) => { L.DomEvent.preventDefault(e); action(); });
    };
    button("⌂", "all zones", home);
    button("⊕", "all tracks", () => {
      const b = tracks.bounds();
      if (b) map.fitBounds(b, { padding: [40, 40], maxZoom: 7, animate: false });
    });
    L.DomEvent.disableClickPropagation(bar);
    return bar;
  },
});
new HomeControl().addTo(map);

function applyCommon(message) {
  hud.stats(message.stats);
  hud.health(message.health);
  legend.counts(message.stats.identities);
}

function onSnapshot(snapshot) {
  if (frameWest !== snapshot.frame.west) {
    frameWest = snapshot.frame.west;
    addBaseMap(map, frameWest);
    mapElement.dataset.frameWest = String(frameWest);
  }
  zones.set(snapshot.zones);
  tracks.clear();
  for (const t of snapshot.tracks) tracks.upsert(t);
  alerts.reset(snapshot.alerts);
  applyCommon(snapshot);
  if (!homed) {
    home();
    homed = true;
  }
  document.body.dataset.ready = "true";
}

function onDelta(delta) {
  for (const id of delta.removed) tracks.remove(id);
  for (const t of delta.tracks) tracks.upsert(t);
  alerts.add(delta.alerts);
  applyCommon(delta);
}

function connect() {
  const source = new EventSource("api/events");
  source.addEventListener("snapshot", (e) => onSnapshot(JSON.parse(e.data)));
  source.addEventListener("delta", (e) => onDelta(JSON.parse(e.data)));
  source.addEventListener("error", () => hud.disconnected());
}
connect();

// For the end-to-end test and for poking at the picture from the browser's console.
window.adizwatch = {
  map, tracks, zones, alerts, focusTrack,
  center: () => ({ lat: map.getCenter().lat, x: map.getCenter().lng, zoom: map.getZoom() }),
};
