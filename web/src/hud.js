// The top bar: counters, the pipeline's health, the picture's time and the UTC clock.
import { hhmmss, ymd } from "./format.js";

const $ = (id) => document.getElementById(id);

const HEALTH_LABEL = {
  starting: "STARTING", ok: "OK", lagging: "LAGGING", stalled: "STALLED", down: "DOWN",
  disconnected: "NO LINK",
};

export class Hud {
  constructor() {
    this.wallTimer = setInterval(() => {
      $("wall-time").textContent = hhmmss(Date.now());
    }, 1000);
    $("wall-time").textContent = hhmmss(Date.now());
  }

  stats(s) {
    $("c-tracks").textContent = s.tracks;
    $("c-rate").textContent = s.points_per_s.toFixed(s.points_per_s < 10 ? 1 : 0);
    $("c-alerts").textContent = s.alerts;
    $("c-emergencies").textContent = s.emergencies;
    $("c-emergencies").parentElement.classList.toggle("alarm", s.emergencies > 0);
    $("c-deadletters").textContent = s.deadletters;
    const reasons = Object.entries(s.deadletter_reasons).map(([k, v]) => `${k}: ${v}`).join("\n");
    $("c-deadletters").parentElement.title = reasons || "no dead letters";
    $("c-deadletters").parentElement.classList.toggle("warn", s.deadletters > 0);
    if (s.latest_ts_ms != null) {
      $("picture-time").textContent = `${ymd(s.latest_ts_ms)} ${hhmmss(s.latest_ts_ms)}`;
    }
  }

  health(h) {
    const el = $("health");
    el.dataset.status = h.status;
    el.dataset.lag = h.lag ?? "";
    el.title = h.detail + (h.lag != null ? `\nworker lag: ${h.lag} records` : "");
    $("health-status").textContent = HEALTH_LABEL[h.status] ?? h.status.toUpperCase();
  }

  disconnected() {
    this.health({ status: "disconnected", detail: "no connection to the picture server; retrying", lag: null });
  }
}
