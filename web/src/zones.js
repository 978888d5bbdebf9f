// The watched zones: outlines and names, in the picture's frame (the server sends each zone
// already shifted into the frame and dissolved across the antimeridian).
import L from "leaflet";
import { escapeHtml } from "./format.js";

const STYLE = {
  color: "#ffb300", weight: 1.6, opacity: 0.95, dashArray: "8 5",
  fill: true, fillColor: "#ffb300", fillOpacity: 0.05,
};

export class ZoneLayer {
  constructor(map) {
    this.map = map;
    this.group = L.layerGroup().addTo(map);
    this.byId = new Map();
  }

  /** Replace the zones with `features` (GeoJSON, frame longitudes). */
  set(features) {
    this.group.clearLayers();
    this.byId.clear();
    for (const f of features) {
      const layer = L.geoJSON(f, {
        style: STYLE,
        coordsToLatLng: (c) => L.latLng(c[1], c[0]),
        interactive: false,
        className: "zone",
      });
      this.group.addLayer(layer);
      layer.eachLayer((path) => {
        const el = path.getElement();
        if (el) {
          el.setAttribute("data-zone-id", f.properties.id);
          el.setAttribute("data-zone-name", f.properties.name);
        }
      });
      const { lat, x } = f.properties.label;
      const label = L.tooltip({
        permanent: true, direction: "center", className: "zone-label", interactive: false,
      }).setLatLng([lat, x]).setContent(
        `<span data-zone-label="${escapeHtml(f.properties.id)}">${escapeHtml(f.properties.name)}</span>`);
      this.group.addLayer(label);
      this.byId.set(f.properties.id, { feature: f, layer });
    }
  }

  name(id) {
    return this.byId.get(id)?.feature.properties.name ?? id;
  }

  /** [[south, west], [north, east]] around every zone, or null. */
  bounds() {
    let b = null;
    for (const { feature } of this.byId.values()) {
      const [s, w, n, e] = feature.properties.bounds;
      b = b ? b.extend([[s, w], [n, e]]) : L.latLngBounds([[s, w], [n, e]]);
    }
    return b;
  }
}
