// The page of `cijobs truth serve` (docs/manual/truth.md, "HTTP API and page"): calls this server's JSON API only and
// builds the DOM with textContent (never HTML from data).
"use strict";
(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const params = new URLSearchParams(window.location.search);
  const message = document.getElementById("message");

  function el(name, text, attributes) {
    const node = document.createElement(name);
    if (text !== undefined && text !== null) node.textContent = String(text);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    return node;
  }

  function svg(name, attributes, text) {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function time(seconds) {
    return new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
  }

  async function api(path) {
    const response = await fetch(path, { headers: { Accept: "application/json" } });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || ("HTTP " + response.status));
    return body;
  }

  async function showRelease(name) {
    const status = await api("/api/release?name=" + encodeURIComponent(name) + "&limit=1000");
    document.getElementById("release-summary").textContent =
      `${status.release}: ${status.packages} packages; ${status.built} built, ${status.failed} failed, ` +
      `${status.other_ref} other-ref, ${status.missing} missing` + (status.truncated ? " (cut short)" : "");
    const body = document.querySelector("#release-table tbody");
    body.replaceChildren();
    for (const item of status.items) {
      const row = el("tr", null, { "class": "package-row state-" + item.state, "data-package": item.package, "data-state": item.state });
      row.append(el("td", item.package), el("td", item.state, { "class": "state" }),
        el("td", item.source_ref + " / " + item.distgit_ref),
        el("td", item.latest ? time(item.latest.dt_build) : "-"),
        el("td", item.latest ? item.latest.status : "-"),
        el("td", item.latest ? item.latest.nvrs.join(", ") : "-"));
      row.addEventListener("click", () => showHistory(item.package).catch(fail));
      body.append(row);
    }
    return status;
  }

  // One chart, two series on their own scales by dt_build: size (left axis) and time (right axis): the build's duration
  // when its manifest recorded one (version 2), else the wait from its newest commit to the build; each point says which.
  async function showHistory(name) {
    const history = await api("/api/history?package=" + encodeURIComponent(name) + "&limit=500");
    document.getElementById("history-package").textContent = history.package;
    const holder = document.getElementById("history-chart");
    holder.replaceChildren();
    const builds = history.builds;
    if (builds.length === 0) {
      holder.append(el("p", "no builds of " + history.package, { id: "history-empty" }));
      return;
    }
    const width = 720, height = 260, left = 70, right = 70, top = 10, bottom = 40;
    const chart = svg("svg", { id: "history-svg", width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
    const wait = b => Math.max(0, b.dt_build - Math.max(b.dt_commit, b.dt_distro));
    const timed = builds.filter(b => b.duration_seconds !== null && b.duration_seconds !== undefined).length;
    const timeName = timed === builds.length ? "duration" : timed === 0 ? "wait" : "duration (wait where unknown)";
    chart.append(svg("title", {}, "size and " + timeName + " of " + history.package + " over time"));
    const times = builds.map(b => b.dt_build);
    const t0 = Math.min(...times), t1 = Math.max(...times);
    const x = t => left + (t1 === t0 ? (width - left - right) / 2 : (t - t0) / (t1 - t0) * (width - left - right));
    const series = [
      { name: "size", label: "size", value: b => b.size, kind: () => "size", axis: left - 4, anchor: "end" },
      {
        name: "time", label: timeName, axis: width - right + 4, anchor: "start",
        value: b => b.duration_seconds ?? wait(b),
        kind: b => b.duration_seconds === null || b.duration_seconds === undefined ? "wait" : "duration",
      },
    ];
    chart.append(svg("line", { x1: left, y1: height - bottom, x2: width - right, y2: height - bottom, stroke: "#888" }));
    chart.append(svg("text", { x: left, y: height - bottom + 16 }, time(t0)));
    chart.append(svg("text", { x: width - right, y: height - bottom + 16, "text-anchor": "end" }, time(t1)));
    for (const s of series) {
      const values = builds.map(s.value);
      const max = Math.max(1, ...values);
      const y = v => height - bottom - v / max * (height - top - bottom);
      chart.append(svg("text", { x: s.axis, y: top + 10, "text-anchor": s.anchor, "class": s.name + "-axis" }, s.label + " " + max));
      chart.append(svg("polyline", { "class": s.name + "-line", points: builds.map((b, i) => x(b.dt_build) + "," + y(values[i])).join(" ") }));
      builds.forEach((b, i) => {
        const kind = s.kind(b);
        const point = svg("circle", { "class": kind + "-point" + (b.status === "SUCCESS" ? "" : " failed-point"), cx: x(b.dt_build), cy: y(values[i]), r: 3, "data-build": b.id });
        point.append(svg("title", {}, `${time(b.dt_build)} ${b.nvrs.join(", ")} ${kind} ${values[i]}`));
        chart.append(point);
      });
    }
    holder.append(chart);
    holder.append(el("p", "right axis: " + timeName + (timeName === "duration" ? "" : "; wait points are builds whose manifest (version 1) recorded no duration"), { id: "history-legend" }));
  }

  function fail(error) {
    message.textContent = error.message;
  }

  async function main() {
    const release = params.get("release");
    let pkg = params.get("package");
    document.getElementById("release").value = release || "";
    document.getElementById("package").value = pkg || "";
    if (release) {
      const status = await showRelease(release);
      if (!pkg) {
        const built = status.items.find(i => i.latest);
        pkg = built ? built.package : null;
      }
    }
    if (pkg) await showHistory(pkg);
    document.body.setAttribute("data-ready", "true");
  }

  main().catch(error => { fail(error); document.body.setAttribute("data-ready", "error"); });
})();
