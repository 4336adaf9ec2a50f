// The door: camera and USB scanners, manual search, undo, live counts (scanner page) and the gate name
// (walk-in page). Talks to the JSON API with the session cookie and the CSRF token from <meta>.
(function () {
  "use strict";

  var GATE_KEY = "eventreg.gate";
  var REPEAT_MS = 4000; // the same code from this device within this time is a double read, not a new scan
  var SCAN_TIMEOUT_MS = 3500; // a scan unanswered this long is decided on the device (door-offline.js)
  var STATS_MS = 5000;
  var FRAME_MS = 120;

  function storedGate() {
    try { return window.localStorage.getItem(GATE_KEY) || ""; } catch (e) { return ""; }
  }

  function storeGate(value) {
    try { window.localStorage.setItem(GATE_KEY, value); } catch (e) { /* private mode: kept for this page only */ }
  }

  // The day (and session) a door of a seminar of several days checks in for, kept per seminar on this device
  // until that day's door closes (the next visit then starts from the day open now).
  var DAY_KEY = "eventreg.door-day.";
  function storedPick(slug) {
    var pick = null;
    try { pick = JSON.parse(window.localStorage.getItem(DAY_KEY + slug) || "null"); } catch (e) { return null; }
    return pick && pick.closes && new Date(pick.closes) > new Date() ? pick : null;
  }
  function storePick(slug, pick) {
    try { window.localStorage.setItem(DAY_KEY + slug, JSON.stringify(pick)); } catch (e) { /* this page only */ }
  }

  // Walk-in page: the gate and the day go with the form; student fields only for a student category.
  document.querySelectorAll("[data-gate-field]").forEach(function (input) { input.value = storedGate(); });
  document.querySelectorAll("form[data-offline-slug]").forEach(function (form) {
    var pick = storedPick(form.getAttribute("data-offline-slug"));
    if (!pick) { return; }
    form.querySelector("[data-day-field]").value = pick.day || "";
    form.querySelector("[data-session-field]").value = pick.session || "";
  });
  document.querySelectorAll("form[data-student-categories]").forEach(function (form) {
    var students = form.getAttribute("data-student-categories").split(",").filter(Boolean);
    var select = form.querySelector("select[name=category_id]");
    var fields = form.querySelector("[data-student-fields]");
    function toggle() { fields.classList.toggle("hidden", students.indexOf(select.value) === -1); }
    select.addEventListener("change", toggle);
    toggle();
  });

  var root = document.getElementById("scanner");
  if (!root) { return; }

  var csrfMeta = document.querySelector("meta[name=csrf-token]");
  var csrfToken = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var body = document.body;
  var msg = function (name) { return root.getAttribute("data-msg-" + name) || ""; };
  var $ = function (id) { return document.getElementById(id); };

  var video = $("camera-video");
  var cameraStatus = $("camera-status");
  var toggleButton = $("camera-toggle");
  var switchButton = $("camera-switch");
  var torchButton = $("camera-torch");
  var wedgeForm = $("wedge-form");
  var wedgeInput = $("wedge-input");
  var gateForm = $("gate-form");
  var gateInput = $("gate-input");
  var result = $("result");
  var undoButton = $("result-undo");
  var nextButton = $("result-next");
  var searchForm = $("search-form");
  var searchInput = $("search-input");
  var searchResults = $("search-results");

  // ---- the day (and session) checked in for ---------------------------------------------------------------
  var daySelect = $("door-day");
  var slug = root.getAttribute("data-slug");
  function pickOf(option) {
    return { value: option.value, day: Number(option.getAttribute("data-day")),
      session: option.hasAttribute("data-session") ? Number(option.getAttribute("data-session")) : null,
      closes: option.getAttribute("data-closes") };
  }
  // {} on a seminar without days: nothing is sent, and the server decides as it always did.
  function picked() {
    if (!daySelect || daySelect.selectedIndex < 0) { return {}; }
    return pickOf(daySelect.options[daySelect.selectedIndex]);
  }
  function withPick(payload) {
    var pick = picked();
    if (pick.day) { payload.day = pick.day; }
    if (pick.session) { payload.session = pick.session; }
    return payload;
  }
  function pickQuery(separator) {
    var pick = picked();
    if (!pick.day) { return ""; }
    return separator + "day=" + pick.day + (pick.session ? "&session=" + pick.session : "");
  }
  if (daySelect) {
    var kept = storedPick(slug);
    if (kept && daySelect.querySelector("option[value='" + kept.value + "']")) { daySelect.value = kept.value; }
    storePick(slug, picked());
    body.dataset.doorDay = daySelect.value;
  }

  var state = {
    stream: null, facing: "environment", torch: false, decoder: null, timer: null, busy: false,
    seen: new Map(), lastCheckedIn: null, lastOfflineNonce: null, hideTimer: null, pending: 0, resume: false,
    wakeLock: null
  };
  var door = function () { return window.EventregDoor || null; };
  // On a phone, focusing the text input opens the keyboard over the camera: keys from a USB scanner are
  // collected on the page instead (below), so nothing needs the focus there.
  var touchScreen = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;

  // ---- the gate --------------------------------------------------------------------------------------------
  function showGate() {
    var gate = storedGate();
    gateInput.value = gate;
    body.dataset.gate = gate;
    $("gate-name").textContent = gate;
    $("gate-line").classList.toggle("hidden", !gate);
    gateForm.classList.toggle("hidden", !!gate);
  }
  showGate();
  gateForm.addEventListener("submit", function (event) {
    event.preventDefault();
    storeGate(gateInput.value.trim());
    showGate();
    wedgeInput.focus();
  });
  $("gate-change").addEventListener("click", function () {
    gateForm.classList.remove("hidden");
    $("gate-line").classList.add("hidden");
    gateInput.focus();
  });

  // ---- sounds (WebAudio: no files) -------------------------------------------------------------------------
  var audio = null;
  function unlockAudio() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) { audio = new Context(); }
    if (!audio) { return; }
    if (audio.state === "suspended") { audio.resume(); }
    // Some browsers (iOS Safari) unlock only once a sound starts inside the tap: a silent one.
    var buffer = audio.createBuffer(1, 1, 22050);
    var source = audio.createBufferSource();
    source.buffer = buffer;
    source.connect(audio.destination);
    source.start(0);
    body.dataset.audio = "unlocked";
  }
  // Hidden once the tap is over, not as it starts: the page must not move under the finger mid-tap.
  document.addEventListener("click", function () { $("sound-hint").classList.add("hidden"); });
  document.addEventListener("pointerdown", unlockAudio);
  document.addEventListener("keydown", unlockAudio);

  function tone(frequency, start, length, type) {
    var oscillator = audio.createOscillator();
    var gain = audio.createGain();
    oscillator.type = type;
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, audio.currentTime + start);
    gain.gain.exponentialRampToValueAtTime(0.3, audio.currentTime + start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + start + length);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(audio.currentTime + start);
    oscillator.stop(audio.currentTime + start + length + 0.05);
  }

  // Each answer its own sound and vibration: a welcome rises, "already checked in" repeats a middle note
  // three times (look again: this ticket was used), "not admitted" is one long low buzz.
  var VIBRATIONS = { ok: [80], again: [60, 60, 60, 60, 60], bad: [400], info: [40] };
  function sound(kind) {
    if (navigator.vibrate) { try { navigator.vibrate(VIBRATIONS[kind] || [40]); } catch (e) { /* not allowed */ } }
    body.dataset.lastSound = kind;
    if (!audio || audio.state !== "running") { return; }
    if (kind === "ok") { tone(880, 0, 0.12, "sine"); tone(1320, 0.13, 0.18, "sine"); }
    else if (kind === "again") { tone(660, 0, 0.1, "triangle"); tone(660, 0.15, 0.1, "triangle"); tone(660, 0.3, 0.1, "triangle"); }
    else if (kind === "info") { tone(520, 0, 0.15, "sine"); }
    else { tone(180, 0, 0.45, "square"); }
  }

  // ---- talking to the API ----------------------------------------------------------------------------------
  function api(method, url, payload, timeoutMs) {
    var options = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (timeoutMs && window.AbortController) {
      var controller = new AbortController();
      options.signal = controller.signal;
      setTimeout(function () { controller.abort(); }, timeoutMs);
    }
    if (payload !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload);
    }
    if (method !== "GET") { options.headers["X-CSRFToken"] = csrfToken; }
    return fetch(url, options).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw { status: response.status, data: data }; }
        return data;
      });
    });
  }

  function showCounts(stats) {
    if (!stats) { return; }
    $("count-in").textContent = stats.checked_in;
    $("count-confirmed").textContent = stats.confirmed;
    body.dataset.checkedIn = stats.checked_in;
  }

  // Offline, the counters come from the device's roster and queue (door-offline.js).
  function refreshStats() {
    var offline = door();
    if (offline && !offline.isOnline()) { return offline.ready().then(function () { return offline.counts(picked()); }).then(showCounts); }
    return api("GET", root.getAttribute("data-stats-url") + pickQuery("?")).then(showCounts, function (failure) {
      if (offline && noAnswer(failure)) {
        offline.markOffline();
        return offline.ready().then(function () { return offline.counts(picked()); }).then(showCounts);
      }
    });
  }

  // ---- showing an answer -----------------------------------------------------------------------------------
  // Green: come in. Amber: already checked in (someone may be using a copy). Red: not admitted. Blue: undone.
  var TONES = {
    checked_in: "ok", undone: "info", already_checked_in: "again", not_confirmed: "bad", email_not_confirmed: "bad",
    outside_window: "bad", not_in_session: "bad",
    wrong_seminar: "bad", cancelled: "bad", rejected: "bad", unknown_code: "bad", error: "bad"
  };

  function show(answer, code) {
    var registration = answer.registration;
    var tone = TONES[answer.status] || "bad";
    result.className = "result result-" + tone + " result-status-" + answer.status;
    $("result-title").textContent = answer.title;
    var name = registration ? registration.full_name : "";
    $("result-name").textContent = name;
    var category = "";
    var showCategory = !!registration && (answer.status === "checked_in" || answer.status === "already_checked_in");
    if (showCategory) {
      // Students are marked by a badge; a category that is just called "Student" need not say it twice.
      var label = registration.category_is_student && registration.category === msg("student") ? "" :
        registration.category;
      category = [label, registration.organization].filter(Boolean).join(" · ");
    }
    $("result-category").textContent = category;
    $("result-category").classList.toggle("is-student", showCategory && registration.category_is_student);
    $("result-category").setAttribute("data-student-label", msg("student"));
    $("result-detail").textContent = answer.message === name ? "" : answer.message;
    state.lastCheckedIn = answer.status === "checked_in" ? registration : null;
    state.lastOfflineNonce = answer.status === "checked_in" && answer.offline ? answer.nonce : null;
    undoButton.classList.toggle("hidden", !state.lastCheckedIn);
    $("result-offline").classList.toggle("hidden", !answer.offline);
    body.dataset.lastOffline = answer.offline ? "true" : "false";
    sound(tone);
    body.dataset.lastCode = code;
    body.dataset.lastStatus = answer.status;
    body.dataset.answers = String(Number(body.dataset.answers || 0) + 1);
    clearTimeout(state.hideTimer);
    // A welcome clears itself so the next person can step up; refusals wait for staff to read them.
    if (tone === "ok") { state.hideTimer = setTimeout(hideResult, 6000); }
    nextButton.focus();
  }

  function hideResult() {
    clearTimeout(state.hideTimer);
    result.className = "result hidden";
    readyForNext();
  }

  function readyForNext() {
    if (!touchScreen) { wedgeInput.focus(); return; }
    if (document.activeElement && document.activeElement.blur) { document.activeElement.blur(); }
  }

  function showError(code, failure) {
    var title = msg("network"); // fetch itself failed: no answer at all
    if (failure && (failure.status === 401 || failure.status === 403)) { title = msg("login"); }
    else if (failure && failure.data && failure.data.message) { title = failure.data.message; }
    show({ status: "error", title: title, message: "" }, code);
  }

  // ---- one scan, whatever its source -----------------------------------------------------------------------
  function noAnswer(failure) { return !failure || failure.status === undefined; }

  // Online the server decides; without network (or no answer in time) the device does, from its roster.
  function decided(payload) {
    var offline = door();
    if (offline && !offline.isOnline() && payload.code) { return offline.decide(payload.code, payload.gate, picked()); }
    if (offline && !offline.isOnline()) { return Promise.reject({ status: undefined }); }
    return api("POST", root.getAttribute("data-checkin-url"), payload, SCAN_TIMEOUT_MS).then(function (answer) {
      if (offline) { offline.markOnline(); }
      if (offline && answer.status === "checked_in" && payload.code) {
        offline.noteAdmitted(payload.code, payload.gate, picked());
      }
      return answer;
    }, function (failure) {
      if (!offline || !noAnswer(failure)) { throw failure; }
      offline.markOffline();
      if (!payload.code) { throw failure; }
      return offline.decide(payload.code, payload.gate, picked());
    });
  }

  function submit(payload, displayCode) {
    payload.gate = storedGate() || gateInput.value.trim();
    withPick(payload);
    state.pending += 1;
    body.dataset.pending = state.pending;
    return decided(payload).then(function (answer) {
      show(answer, displayCode);
      if (answer.status === "checked_in") { refreshStats(); }
    }, function (failure) { showError(displayCode, failure); }).then(function () {
      state.pending -= 1;
      body.dataset.pending = state.pending;
    });
  }

  function scanned(code, method) {
    code = (code || "").trim();
    if (!code) { return; }
    var now = Date.now();
    state.seen.forEach(function (at, seenCode) { if (now - at >= REPEAT_MS) { state.seen.delete(seenCode); } });
    var repeated = state.seen.has(code);
    state.seen.set(code, now); // a ticket left in front of the camera stays ignored while it is seen
    if (repeated) { return; }
    submit({ code: code, method: method }, code);
  }

  wedgeForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = wedgeInput.value;
    wedgeInput.value = "";
    scanned(code, "keyboard");
  });

  nextButton.addEventListener("click", hideResult);
  result.addEventListener("click", function (event) {
    if (event.target === result) { hideResult(); }
  });

  undoButton.addEventListener("click", function () {
    var registration = state.lastCheckedIn;
    if (!registration) { return; }
    if (state.lastOfflineNonce && door()) {
      door().undo(state.lastOfflineNonce, storedGate()).then(function (answer) {
        show(answer, body.dataset.lastCode || "");
        refreshStats();
      });
      return;
    }
    var url = root.getAttribute("data-undo-url").replace(/\/0$/, "/" + registration.id);
    api("DELETE", url, withPick({ gate: storedGate() })).then(function (answer) {
      show(answer, body.dataset.lastCode || "");
      refreshStats();
    }, function (failure) { showError(body.dataset.lastCode || "", failure); });
  });

  // A USB scanner types into whatever has focus; when nothing does, collect the keys on the page.
  var buffer = "";
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) {
      return;
    }
    if (event.key === "Enter") {
      if (buffer) { scanned(buffer, "keyboard"); buffer = ""; event.preventDefault(); }
    } else if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
      buffer += event.key;
    } else if (event.key === "Escape") {
      buffer = "";
      hideResult();
    }
  });

  // ---- manual search ---------------------------------------------------------------------------------------
  var searchTimer = null;
  var searchSeq = 0;
  function runSearch() {
    var query = searchInput.value.trim();
    var seq = ++searchSeq;
    if (!query) { searchResults.textContent = ""; return; }
    var url = root.getAttribute("data-search-url") + "?q=" + encodeURIComponent(query) + pickQuery("&");
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      return response.text();
    }).then(function (html) {
      if (seq !== searchSeq) { return; }
      // Our own server-rendered fragment (escaped by Jinja), from the same origin.
      searchResults.innerHTML = html;
      body.dataset.searchDone = String(seq);
    }, function () { searchResults.textContent = msg("network"); });
  }
  searchInput.addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, 250);
  });
  searchForm.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(searchTimer);
    runSearch();
  });
  searchResults.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-registration-id]");
    if (!button) { return; }
    button.disabled = true;
    var id = Number(button.getAttribute("data-registration-id"));
    submit({ registration_id: id, method: "manual" }, "#" + id).then(runSearch);
  });

  // ---- the camera ------------------------------------------------------------------------------------------
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });

  function setCameraStatus(text, name) {
    cameraStatus.textContent = text;
    body.dataset.camera = name;
  }

  function loadDecoder() {
    if (state.decoder) { return Promise.resolve(state.decoder); }
    if ("BarcodeDetector" in window) {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      state.decoder = function () {
        return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
      };
      body.dataset.decoder = "barcode-detector";
      return Promise.resolve(state.decoder);
    }
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = root.getAttribute("data-zxing-src");
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    }).then(function () {
      var wasmBase = root.getAttribute("data-wasm-base");
      // Never the CDN the library would use by default: the .wasm is served next to its JS.
      return window.ZXingWASM.prepareZXingModule({
        overrides: {
          locateFile: function (path, prefix) { return path.endsWith(".wasm") ? wasmBase + path : prefix + path; }
        },
        fireImmediately: true
      });
    }).then(function () {
      var options = { formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 1 };
      state.decoder = function () {
        var width = video.videoWidth;
        var height = video.videoHeight;
        if (!width || !height) { return Promise.resolve(null); }
        canvas.width = width;
        canvas.height = height;
        context.drawImage(video, 0, 0, width, height);
        return window.ZXingWASM.readBarcodesFromImageData(context.getImageData(0, 0, width, height), options)
          .then(function (codes) { return codes.length && codes[0].isValid ? codes[0].text : null; });
      };
      body.dataset.decoder = "zxing-wasm";
      return state.decoder;
    });
  }

  function tick() {
    if (!state.stream) { return; }
    if (state.busy || video.readyState < 2) { state.timer = setTimeout(tick, FRAME_MS); return; }
    state.busy = true;
    state.decoder().then(function (text) {
      if (text) { scanned(text, "camera"); }
    }, function () { /* a frame that did not decode */ }).then(function () {
      state.busy = false;
      if (state.stream) { state.timer = setTimeout(tick, FRAME_MS); }
    });
  }

  function stopCamera() {
    clearTimeout(state.timer);
    if (state.stream) { state.stream.getTracks().forEach(function (track) { track.stop(); }); }
    state.stream = null;
    video.srcObject = null;
    toggleButton.textContent = toggleButton.getAttribute("data-start-label");
    torchButton.classList.add("hidden");
  }

  function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      setCameraStatus(msg("camera-missing"), "unavailable");
      return Promise.resolve();
    }
    setCameraStatus(msg("camera-starting"), "starting");
    var constraints = { audio: false, video: { facingMode: { ideal: state.facing }, width: { ideal: 1280 },
      height: { ideal: 720 } } };
    return Promise.all([navigator.mediaDevices.getUserMedia(constraints), loadDecoder()]).then(function (parts) {
      state.stream = parts[0];
      video.srcObject = state.stream;
      return video.play();
    }).then(function () {
      setCameraStatus(msg("camera-on"), "on");
      toggleButton.textContent = toggleButton.getAttribute("data-stop-label");
      offerCameraControls();
      tick();
    }).catch(function (error) {
      stopCamera();
      var name = error && error.name;
      if (name === "NotAllowedError" || name === "SecurityError") {
        setCameraStatus(msg("camera-denied"), "denied");
      } else if (name === "NotFoundError" || name === "OverconstrainedError") {
        setCameraStatus(msg("camera-missing"), "unavailable");
      } else if (!state.decoder) {
        setCameraStatus(msg("decoder-failed"), "no-decoder");
      } else {
        setCameraStatus(msg("camera-missing"), "unavailable");
      }
    });
  }

  function offerCameraControls() {
    navigator.mediaDevices.enumerateDevices().then(function (devices) {
      var cameras = devices.filter(function (d) { return d.kind === "videoinput"; });
      switchButton.classList.toggle("hidden", cameras.length < 2);
    });
    var track = state.stream.getVideoTracks()[0];
    var capabilities = track && track.getCapabilities ? track.getCapabilities() : {};
    torchButton.classList.toggle("hidden", !capabilities.torch);
    state.torch = false;
    torchButton.setAttribute("aria-pressed", "false");
  }

  // The screen stays on while the scanner is open (the lock is dropped by the browser when the page hides).
  function keepAwake() {
    if (!navigator.wakeLock || document.hidden || state.wakeLock) { return; }
    navigator.wakeLock.request("screen").then(function (lock) {
      state.wakeLock = lock;
      body.dataset.wakeLock = "on";
      lock.addEventListener("release", function () { state.wakeLock = null; body.dataset.wakeLock = "off"; });
    }, function () { body.dataset.wakeLock = "refused"; });
  }
  keepAwake();
  document.addEventListener("visibilitychange", keepAwake);
  document.addEventListener("pointerdown", keepAwake);

  toggleButton.setAttribute("data-start-label", toggleButton.textContent);
  toggleButton.addEventListener("click", function () {
    unlockAudio(); // the tap that starts the camera also turns the sound on, before the first scan
    if (state.stream) {
      stopCamera();
      setCameraStatus(msg("camera-off"), "off");
      try { window.localStorage.setItem(GATE_KEY + ".camera", "off"); } catch (e) { /* ignore */ }
    } else {
      try { window.localStorage.setItem(GATE_KEY + ".camera", "on"); } catch (e) { /* ignore */ }
      startCamera();
    }
  });
  switchButton.addEventListener("click", function () {
    state.facing = state.facing === "environment" ? "user" : "environment";
    stopCamera();
    startCamera();
  });
  torchButton.addEventListener("click", function () {
    var track = state.stream && state.stream.getVideoTracks()[0];
    if (!track) { return; }
    state.torch = !state.torch;
    track.applyConstraints({ advanced: [{ torch: state.torch }] }).then(function () {
      torchButton.setAttribute("aria-pressed", String(state.torch));
    }, function () { state.torch = !state.torch; });
  });
  document.addEventListener("visibilitychange", function () {
    // A phone in a pocket should not keep the camera (and battery) busy.
    if (document.hidden && state.stream) { stopCamera(); state.resume = true; }
    else if (!document.hidden && state.resume) { state.resume = false; startCamera(); }
  });

  // Ask for the camera once, on arrival, unless this device was told not to use it.
  var cameraChoice = "on";
  try { cameraChoice = window.localStorage.getItem(GATE_KEY + ".camera") || "on"; } catch (e) { /* ignore */ }
  if (cameraChoice === "on") { startCamera(); } else { setCameraStatus(msg("camera-off"), "off"); }
  // A camera started without a tap has no sound yet (browsers allow it only after one): say so.
  if (!audio || audio.state !== "running") { $("sound-hint").classList.remove("hidden"); }
  if (touchScreen) { readyForNext(); }
  document.addEventListener("eventreg:synced", function () { refreshStats(); });
  if (daySelect) {
    // Another day or session: its own counts, and the answer on screen was for the previous one.
    daySelect.addEventListener("change", function () {
      storePick(slug, picked());
      body.dataset.doorDay = daySelect.value;
      hideResult();
      refreshStats();
      if (searchInput.value.trim()) { runSearch(); }
    });
  }

  refreshStats();
  setInterval(refreshStats, STATS_MS);
  body.dataset.scannerReady = "true";
})();
