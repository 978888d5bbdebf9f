// The alert list: identification events, newest first (by event time), emergency squawks
// highlighted. Clicking an alert centres the map on its track.
import {
  EVENT_LABEL, IDENTITY_LABEL, escapeHtml, hhmmss, identityClass, ymd,
} from "./format.js";

const MAX_ROWS = 200;

const newestFirst = (a, b) => b.ts_ms - a.ts_ms || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

function rowHtml(a) {
  const what = EVENT_LABEL[a.type] ?? a.type;
  const where = a.zone_name
    ? escapeHtml(a.zone_name)
    : a.type === "emergency" ? "" : '<span class="muted">outside zones</span>';
  const change = a.type === "identity.change" && a.previous_identity
    ? `<span class="muted">${escapeHtml(IDENTITY_LABEL[a.previous_identity] ?? a.previous_identity)} →</span> `
    : "";
  const squawk = a.emergency
    ? `<span class="squawk">SQUAWK ${escapeHtml(a.squawk)}${a.squawk_meaning ? ` · ${escapeHtml(a.squawk_meaning.toUpperCase())}` : ""}</span>`
    : a.squawk && a.type === "emergency" ? `<span class="squawk cleared">SQUAWK ${escapeHtml(a.squawk)} (cleared)</span>` : "";
  const who = `<b>${escapeHtml(a.callsign || a.track_id.replace(/^[a-z0-9]+:/, "").toUpperCase())}</b>`;
  const facts = [a.aircraft_type, a.country].filter(Boolean).map(escapeHtml).join(" · ");
  return `<div class="a-top"><span class="a-time" title="${ymd(a.ts_ms)}">${hhmmss(a.ts_ms)}</span>
<span class="a-type t-${escapeHtml(a.type.replace(".", "-"))}">${escapeHtml(what)}</span>
<span class="a-identity chip ${identityClass(a.identity)}">${change}${escapeHtml(IDENTITY_LABEL[a.identity] ?? a.identity)}</span></div>
<div class="a-main">${who} <span class="a-track">${escapeHtml(a.track_id)}</span>${facts ? ` <span class="a-country">${facts}</span>` : ""}</div>
<div class="a-zone">${where}${squawk}</div>
<div class="a-reasons" title="${escapeHtml(a.reasons.join("\n"))}">${a.reasons.map(escapeHtml).join(" · ")}</div>`;
}

export class AlertList {
  constructor(element, onSelect) {
    this.element = element;
    this.onSelect = onSelect;
    this.alerts = [];
    this.ids = new Set();
    element.addEventListener("click", (event) => {
      const row = event.target.closest("li[data-alert-id]");
      if (!row) return;
      const alert = this.alerts.find((a) => a.id === row.dataset.alertId);
      if (alert) {
        for (const el of element.querySelectorAll("li.active")) el.classList.remove("active");
        row.classList.add("active");
        this.onSelect(alert);
      }
    });
  }

  /** Replace every alert (snapshot). */
  reset(alerts) {
    this.alerts = [];
    this.ids.clear();
    this.element.replaceChildren();
    this.add(alerts, false);
  }

  /** Add new alerts; `fresh` ones flash once. */
  add(alerts, fresh = true) {
    const added = alerts.filter((a) => !this.ids.has(a.id));
    if (!added.length) return;
    for (const a of added) this.ids.add(a.id);
    this.alerts = this.alerts.concat(added).sort(newestFirst);
    for (const dropped of this.alerts.splice(MAX_ROWS)) this.ids.delete(dropped.id);
    const addedIds = new Set(added.map((a) => a.id));
    const active = this.element.querySelector("li.active")?.dataset.alertId;
    const rows = this.alerts.map((a) => {
      const li = document.createElement("li");
      li.className = ["alert", identityClass(a.identity), a.emergency ? "emergency" : "",
        fresh && addedIds.has(a.id) ? "fresh" : "", a.id === active ? "active" : ""]
        .filter(Boolean).join(" ");
      li.dataset.alertId = a.id;
      li.dataset.trackId = a.track_id;
      li.dataset.type = a.type;
      li.dataset.tsMs = String(a.ts_ms);
      li.dataset.identity = a.identity;
      li.dataset.emergency = String(a.emergency);
      li.innerHTML = rowHtml(a);
      return li;
    });
    this.element.replaceChildren(...rows);
  }
}
