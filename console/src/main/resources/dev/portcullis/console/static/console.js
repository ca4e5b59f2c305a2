// The console's only script: follows a run's log and new alerts over server-sent events, and
// keeps the runs list fresh. It writes text only (textContent, createElement), never HTML, and
// the browser resumes an event stream after the last event id by itself.
"use strict";

function followLog() {
  const log = document.getElementById("log");
  if (!log) {
    return;
  }
  const status = document.getElementById("log-status");
  const state = document.getElementById("run-state");
  const source = new EventSource("/runs/" + encodeURIComponent(log.dataset.run) + "/events");
  source.onopen = () => { status.textContent = "Following the log live."; };
  source.addEventListener("log", (event) => {
    log.append(event.data + "\n");
  });
  source.addEventListener("state", (event) => {
    state.textContent = event.data;
    log.append("── " + event.data + " ──\n");
  });
  source.addEventListener("end", (event) => {
    status.textContent = "The run is over: " + event.data + ".";
    source.close();
    document.querySelectorAll("section.decide").forEach((section) => section.remove());
  });
  source.addEventListener("problem", (event) => {
    status.textContent = "The log cannot be followed: " + event.data;
    source.close();
  });
  source.onerror = () => {
    if (source.readyState !== EventSource.CLOSED) {
      status.textContent = "Connection lost; reconnecting…";
    }
  };
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text;
  row.append(td);
  return td;
}

function runLink(td, runId) {
  if (/^[0-9a-fA-F-]{1,64}$/.test(runId)) {
    const link = document.createElement("a");
    link.href = "/runs/" + encodeURIComponent(runId);
    link.textContent = runId;
    td.append(link);
  }
}

function followAlerts() {
  const table = document.getElementById("alerts");
  if (!table || table.dataset.after === undefined) {
    return;
  }
  const status = document.getElementById("alerts-status");
  const rule = table.dataset.rule;
  const source = new EventSource("/alerts/events?after=" + encodeURIComponent(table.dataset.after));
  source.onopen = () => { status.textContent = "Following new alerts live."; };
  source.addEventListener("alert", (event) => {
    const alert = JSON.parse(event.data);
    if (rule && alert.rule !== rule) {
      return;
    }
    const severity = (alert.severity || "ALERT_SEVERITY_UNSPECIFIED").replace(/^ALERT_SEVERITY_/, "");
    const row = document.createElement("tr");
    cell(row, String(alert.sequence || ""));
    cell(row, alert.raisedAt || "");
    const word = document.createElement("span");
    word.className = "severity severity-" + severity.toLowerCase();
    word.textContent = severity;
    cell(row, "").append(word);
    cell(row, alert.rule || "");
    cell(row, alert.summary || "");
    runLink(cell(row, ""), (alert.attributes || {}).run_id || "");
    cell(row, "");
    table.prepend(row);
    const none = document.getElementById("no-alerts");
    if (none) {
      none.remove();
    }
    status.textContent = "New alert: " + severity + " " + (alert.rule || "") + ".";
  });
  source.addEventListener("problem", (event) => {
    status.textContent = "New alerts cannot be followed: " + event.data;
    source.close();
  });
  source.onerror = () => {
    if (source.readyState !== EventSource.CLOSED) {
      status.textContent = "Connection lost; reconnecting…";
    }
  };
}

document.addEventListener("DOMContentLoaded", () => {
  followLog();
  followAlerts();
});
