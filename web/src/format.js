// Display formats of the picture: UTC times, flight levels, identities.

const pad = (n, width = 2) => String(n).padStart(width, "0");

/** "18:31:05Z" */
export function hhmmss(ms) {
  if (ms == null) return "–";
  const d = new Date(ms);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}Z`;
}

/** "2024-07-24" */
export function ymd(ms) {
  if (ms == null) return "";
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** "FL310", or feet below the transition altitude used for display (18,000 ft). */
export function altitude(ft) {
  if (ft == null) return "–";
  if (ft >= 18000) return `FL${pad(Math.round(ft / 100), 3)}`;
  return `${ft.toLocaleString("en-US")} ft`;
}

export function speed(kt) {
  return kt == null ? "–" : `${Math.round(kt)} kt`;
}

export function heading(deg) {
  return deg == null ? "–" : `${pad(Math.round(deg) % 360, 3)}°`;
}

/** A longitude of the picture's frame, back in [-180, 180), as 170.5°E / 165.0°W. */
export function lon(x) {
  const v = ((((x + 180) % 360) + 360) % 360) - 180;
  return `${Math.abs(v).toFixed(2)}°${v < 0 ? "W" : "E"}`;
}

export function lat(y) {
  return `${Math.abs(y).toFixed(2)}°${y < 0 ? "S" : "N"}`;
}

export const IDENTITY_LABEL = {
  pending: "PENDING",
  unknown: "UNKNOWN",
  "assumed friend": "ASSUMED FRIEND",
  friend: "FRIEND",
  neutral: "NEUTRAL",
  suspect: "SUSPECT",
  hostile: "HOSTILE",
};

/** Class-safe identity name ("assumed friend" -> "assumed-friend"). */
export const identityClass = (identity) => `id-${String(identity).replace(/\s+/g, "-")}`;

/** MIL-STD-2525C frame fill colours (light), used for trails and chips too. */
export const IDENTITY_COLOUR = {
  pending: "#ffff80",
  unknown: "#ffff80",
  "assumed friend": "#80e0ff",
  friend: "#80e0ff",
  neutral: "#aaffaa",
  suspect: "#ff8080",
  hostile: "#ff8080",
};

export const EVENT_LABEL = {
  "zone.entry": "ENTRY",
  "zone.exit": "EXIT",
  "identity.change": "ID CHANGE",
  emergency: "EMERGENCY",
};

export function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
  })[c]);
}
