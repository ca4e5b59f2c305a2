// The console's only script: follows a run's log over server-sent events. It writes text only
// (textContent), never HTML, and the browser resumes after the last event id by itself.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
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
});
