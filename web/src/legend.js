// The legend: one air symbol per standard identity with the number of tracks holding it.
import L from "leaflet";
import { IDENTITY_LABEL, escapeHtml } from "./format.js";
import { symbol } from "./tracks.js";

const ORDER = [
  ["hostile", "H"], ["suspect", "S"], ["unknown", "U"], ["pending", "P"],
  ["neutral", "N"], ["assumed friend", "A"], ["friend", "F"],
];

export const Legend = L.Control.extend({
  options: { position: "bottomleft" },

  onAdd() {
    const div = L.DomUtil.create("div", "legend");
    div.innerHTML = `<div class="legend-title">STANDARD IDENTITY</div>${ORDER.map(([identity, code]) => {
      const sym = symbol(`S${code}APM-----------`, null, 14);
      return `<div class="legend-row" data-identity="${escapeHtml(identity)}">
<span class="legend-sym">${sym.svg}</span><span class="legend-name">${escapeHtml(IDENTITY_LABEL[identity])}</span>
<span class="legend-count">0</span></div>`;
    }).join("")}<div class="legend-note">MIL-STD-2525C · trail ≈ 30 min</div>`;
    L.DomEvent.disableClickPropagation(div);
    this.div = div;
    return div;
  },

  counts(identities) {
    if (!this.div) return;
    for (const row of this.div.querySelectorAll(".legend-row")) {
      row.querySelector(".legend-count").textContent = identities[row.dataset.identity] ?? 0;
    }
  },
});
