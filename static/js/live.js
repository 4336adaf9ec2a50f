// The organizer's live view (templates/live/show.html): polls the seminar's snapshot every few seconds, sending
// back the last ETag so that an unchanged door costs a 304 and no body, and redraws the figures, the chart, the
// gates and the arrivals without a reload. Exposes its state on <body> for the browser tests
// (data-live = online | offline | refused, data-live-updates = snapshots drawn).
(function () {
  "use strict";

  var POLL_MS = 5000;
  var SVG = "http://www.w3.org/2000/svg";
  // The report's arrivals chart (eventreg/reports/charts.py arrivals_chart), drawn the same way here.
  var CHART = { width: 400, height: 190, left: 32, right: 392, top: 10, bottom: 170, bar: "#0f7b3d",
                text: "#5b6675", rule: "#d8dee6", marker: "#b3261e" };

  var root = document.getElementById("live");
  if (!root) { return; }
  var $ = function (id) { return document.getElementById(id); };
  var msg = function (name) { return root.getAttribute("data-msg-" + name) || ""; };
  var body = document.body;
  var state = { etag: null, updates: 0, stopped: false, busy: false, timer: null, wakeLock: null };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function svg(tag, attributes, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attributes).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function n(value) { return value.toFixed(1); }

  // ---- the figures ---------------------------------------------------------------------------------------------
  // A seminar over several days: the figures are of the day whose door is open, named under the title.
  function day(today) {
    $("live-day").textContent = today ? today.label : "";
    $("live-day").hidden = !today;
    $("live-caption-today").hidden = !today;
    $("live-caption-all").hidden = !!today;
  }

  function figures(snapshot) {
    $("live-checked-in").textContent = snapshot.checked_in;
    $("live-expected").textContent = snapshot.expected;
    $("live-percent").textContent = snapshot.percent === null ? "–" : snapshot.percent + "%";
    $("live-progress").max = snapshot.expected || 1;
    $("live-progress").value = snapshot.checked_in;
    $("live-vips-checked-in").textContent = snapshot.vips_checked_in;
    $("live-vips-expected").textContent = snapshot.vips_expected;
  }

  function fill(id, items) {
    var list = $(id);
    list.replaceChildren.apply(list, items);
    $(id + "-empty").hidden = items.length > 0;
  }

  function gates(rows) {
    var total = rows.reduce(function (sum, gate) { return sum + gate.count; }, 0);
    fill("live-gates", rows.map(function (gate) {
      var item = el("li", "live-gate");
      var bar = el("progress", "live-gate-bar");
      bar.max = total || 1;
      bar.value = gate.count;
      item.append(el("span", "live-gate-name", gate.label), " ", el("strong", "live-gate-count", String(gate.count)),
                  bar);
      return item;
    }));
  }

  // ---- the arrivals (the template's `arrival` macro, in the same markup) ------------------------------------------
  function arrivalItem(arrival, fresh) {
    var item = el("li", "live-arrival" + (arrival.is_vip ? " live-arrival-vip" : "") + (fresh ? " live-arrival-new" : ""));
    item.setAttribute("data-id", arrival.id);
    var time = el("time", "live-time", arrival.time);
    time.setAttribute("datetime", arrival.checked_in_at);
    var who = el("span", "live-who");
    who.appendChild(el("strong", "live-name", arrival.full_name));
    if (arrival.is_vip) { who.append(" ", el("span", "badge badge-vip", msg("vip"))); }
    item.append(time, who, el("span", "live-where", [arrival.category, arrival.gate].filter(Boolean).join(" · ")));
    return item;
  }

  function shownIds(id) {
    var ids = {};
    $(id).querySelectorAll("[data-id]").forEach(function (item) { ids[item.getAttribute("data-id")] = true; });
    return ids;
  }

  // Someone not in the list before is new: their row lights up for a moment.
  function arrivals(id, rows) {
    var before = shownIds(id);
    fill(id, rows.map(function (arrival) { return arrivalItem(arrival, !before[arrival.id]); }));
  }

  // ---- the chart ---------------------------------------------------------------------------------------------
  function chart(buckets, startLabel) {
    var c = CHART;
    var title = msg("chart-title");
    var step = (c.right - c.left) / Math.max(buckets.length, 1);
    var largest = Math.max.apply(null, buckets.map(function (b) { return b.count; }).concat([0])) || 1;
    var picture = svg("svg", { "class": "chart", viewBox: "0 0 " + c.width + " " + c.height, width: c.width,
                               height: c.height, role: "img", "aria-label": title, "font-family": "sans-serif",
                               "font-size": 12 });
    var text = function (x, y, value, extra) {
      return svg("text", Object.assign({ "class": "chart-text", x: n(x), y: n(y), "text-anchor": "start",
                                         fill: c.text, "font-size": 12 }, extra || {}), String(value));
    };
    picture.append(svg("title", {}, title),
      svg("line", { "class": "chart-rule", x1: c.left, y1: c.bottom, x2: c.right, y2: c.bottom, stroke: c.text }),
      svg("line", { "class": "chart-rule", x1: c.left, y1: c.top, x2: c.right, y2: c.top, stroke: c.rule,
                    "stroke-dasharray": "3 3" }),
      text(c.left - 4, c.top + 4, largest, { "text-anchor": "end" }),
      text(c.left - 4, c.bottom, 0, { "text-anchor": "end" }));
    var every = Math.max(1, Math.round(buckets.length / 6));
    buckets.forEach(function (bucket, index) {
      var h = (c.bottom - c.top) * bucket.count / largest;
      picture.appendChild(svg("rect", { "class": "chart-bar", x: n(c.left + index * step + step * 0.1), y: n(c.bottom - h),
                                        width: n(step * 0.8), height: n(h), fill: c.bar }));
      if (index % every === 0) {
        picture.appendChild(text(c.left + index * step, c.height - 4, bucket.time, { "font-size": 10 }));
      }
      if (bucket.is_start) {
        var x = c.left + index * step;
        var atRight = index > buckets.length / 2;
        picture.append(svg("line", { "class": "chart-marker", x1: n(x), y1: c.top, x2: n(x), y2: c.bottom,
                                     stroke: c.marker, "stroke-width": 2, "stroke-dasharray": "4 3" }),
                       text(atRight ? x - 3 : x + 3, c.top + 12, startLabel,
                            { fill: c.marker, "text-anchor": atRight ? "end" : "start" }));
      }
    });
    $("live-chart").replaceChildren(picture);
  }

  // ---- polling -----------------------------------------------------------------------------------------------
  function draw(snapshot) {
    day(snapshot.day);
    figures(snapshot);
    chart(snapshot.arrivals, snapshot.day ? snapshot.day.start_label : msg("start"));
    gates(snapshot.gates);
    if (snapshot.latest) {
      arrivals("live-latest", snapshot.latest);
      arrivals("live-vips", snapshot.vips);
    }
    state.updates += 1;
    body.dataset.liveUpdates = String(state.updates);
  }

  function show(status, note) {
    body.dataset.live = status;
    root.classList.toggle("live-offline", status !== "online");
    $("live-note").textContent = note;
  }

  // The time on the seminar's clock, as every other time on the page.
  function clock() {
    var options = { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" };
    try {
      return new Date().toLocaleTimeString(document.documentElement.lang || undefined,
                                           Object.assign({ timeZone: root.getAttribute("data-zone") }, options));
    } catch (e) {
      return new Date().toLocaleTimeString(undefined, options); // a zone this browser does not know
    }
  }

  function poll() {
    state.timer = null;
    if (document.hidden || state.busy) { return; } // polled again when the tablet shows the page
    state.busy = true;
    var headers = { Accept: "application/json" };
    if (state.etag) { headers["If-None-Match"] = state.etag; }
    fetch(root.getAttribute("data-url"), { headers: headers, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if ([401, 403, 404].indexOf(response.status) !== -1) {
          state.stopped = true;
          return show("refused", msg("refused"));
        }
        if (response.status !== 304 && !response.ok) { throw new Error("HTTP " + response.status); }
        if (response.status === 304) { return null; }
        state.etag = response.headers.get("ETag");
        return response.json().then(draw);
      })
      .then(function () { if (!state.stopped) { show("online", msg("updated").replace("%(time)s", clock())); } },
            function () { show("offline", msg("offline")); })
      .then(function () { state.busy = false; schedule(); });
  }

  function schedule() {
    if (!state.stopped && state.timer === null) { state.timer = setTimeout(poll, POLL_MS); }
  }

  // A tablet on the organizer's table should not go dark during the arrivals.
  function keepAwake() {
    if (!navigator.wakeLock || document.hidden || state.wakeLock) { return; }
    navigator.wakeLock.request("screen").then(function (lock) {
      state.wakeLock = lock;
      lock.addEventListener("release", function () { state.wakeLock = null; });
    }, function () { /* refused (battery saver): the view still updates */ });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden || state.stopped) { return; }
    keepAwake();
    if (state.timer !== null) { clearTimeout(state.timer); }
    poll();
  });
  keepAwake();
  poll();
}());
