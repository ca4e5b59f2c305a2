// The console's only script: follows a run's log and new alerts over server-sent events, and
// keeps the runs list fresh by fetching its first page again every ten seconds. It writes text only (textContent, createElement), never HTML, and
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

const RUNS_EVERY_MS = 10000;

function keepRunsFresh() {
  const table = document.getElementById("runs");
  if (!table || table.dataset.live === undefined) {
    return;
  }
  const status = document.getElementById("runs-status");
  const url = "/runs/list.json" + (table.dataset.live ? "?" + table.dataset.live : "");
  let shown = null;
  let first = true;
  const refresh = async () => {
    let answer;
    try {
      answer = await fetch(url, { credentials: "same-origin", redirect: "error", headers: { "Accept": "application/json" } });
    } catch (failure) {
      status.textContent = "Updates paused: the console cannot be reached; retrying.";
      setTimeout(refresh, RUNS_EVERY_MS);
      return;
    }
    const text = await answer.text();
    if (!answer.ok) {
      let problem = "HTTP " + answer.status;
      try {
        problem = JSON.parse(text).problem || problem;
      } catch (ignored) {
        // not JSON: keep the status
      }
      status.textContent = "Updates stopped: " + problem + ". Reload the page.";
      return;
    }
    if (text !== shown) {
      shown = text;
      const runs = JSON.parse(text).runs || [];
      const rows = runs.map((run) => {
        const spec = run.spec || {};
        const row = document.createElement("tr");
        const id = run.runId || "";
        const idCell = cell(row, "");
        runLink(idCell, id);
        if (idCell.firstChild) {
          idCell.firstChild.textContent = id.length > 8 ? id.substring(0, 8) : id;
        }
        const state = document.createElement("span");
        state.className = "state";
        state.textContent = (run.state || "").replace(/^RUN_STATE_/, "");
        cell(row, "").append(state);
        cell(row, spec.repo || "");
        cell(row, spec.folder || "");
        cell(row, spec.environment || "");
        cell(row, spec.command || "");
        cell(row, run.requester || "");
        cell(row, (run.createdAt || "").replace(/\.\d+Z$/, "Z"));
        return row;
      });
      table.replaceChildren(...rows);
      const none = document.getElementById("no-runs");
      if (none) {
        none.hidden = rows.length > 0;
      }
      // said only on a change (the first answer is what the page shows): a polite live region
      // announcing every poll would drown a screen reader
      if (!first) {
        status.textContent = "This list updates itself; it changed at " + new Date().toLocaleTimeString() + ".";
      }
    }
    first = false;
    setTimeout(refresh, RUNS_EVERY_MS);
  };
  setTimeout(refresh, RUNS_EVERY_MS);
}

document.addEventListener("DOMContentLoaded", () => {
  followLog();
  followAlerts();
  keepRunsFresh();
});
