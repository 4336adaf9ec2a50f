// The door without network: the roster kept in IndexedDB, decisions taken on the device, the queue of what
// was done offline and its sync (exactly once, by nonce), and the door's status line. scanner.js calls
// window.EventregDoor; this file talks to the roster and sync endpoints (eventreg/api/offline.py).
(function () {
  "use strict";

  if (!window.indexedDB) { return; }

  var ROSTER_DB = "eventreg-door";      // what the server sent: removed on logout and after the window closes
  var QUEUE_DB = "eventreg-door-queue"; // what this device did offline: kept until the server acknowledged it
  var DEVICE_KEY = "eventreg.device";
  var ROSTER_EVERY_MS = 60000;
  var SYNC_EVERY_MS = 5000;
  var STALE_MS = 10 * 60000;
  var TOKEN = /^[A-Za-z0-9_-]{16,64}$/;
  var SIGNED_TAG = "eventreg-ticket-v2";

  var body = document.body;
  var $ = function (id) { return document.getElementById(id); };
  var state = { online: navigator.onLine !== false, roster: null, queued: 0, syncing: null, keys: {}, ready: null,
    syncError: null };

  // ---- IndexedDB, as promises ------------------------------------------------------------------------------
  function open(name, stores) {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(name, 1);
      request.onupgradeneeded = function () {
        stores.forEach(function (store) { request.result.createObjectStore(store, { keyPath: "key" }); });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  var rosterDb = function () { return open(ROSTER_DB, ["rosters", "admitted"]); };
  var queueDb = function () { return open(QUEUE_DB, ["actions"]); };

  function run(dbPromise, store, mode, work) {
    return dbPromise().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(store, mode);
        var result = work(transaction.objectStore(store));
        transaction.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : result); };
        transaction.onerror = function () { db.close(); reject(transaction.error); };
      });
    });
  }
  function all(dbPromise, store) {
    return run(dbPromise, store, "readonly", function (objects) { return objects.getAll(); });
  }

  // ---- identities ------------------------------------------------------------------------------------------
  function randomId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function deviceId() {
    var id = null;
    try { id = window.localStorage.getItem(DEVICE_KEY); } catch (e) { /* private mode */ }
    if (!id) {
      id = randomId();
      try { window.localStorage.setItem(DEVICE_KEY, id); } catch (e) { /* kept for this page only */ }
    }
    return id;
  }
  var device = deviceId();

  // ---- the walk-in page: without network the person is queued, and registered at the sync ------------------
  var WALK_IN_FIELDS = ["full_name", "email", "organization", "category_id", "university", "programme",
    "study_level", "study_year"];
  var walkInForm = document.querySelector("form[data-offline-slug]");
  if (walkInForm) {
    walkInForm.addEventListener("submit", function (event) {
      if (walkInForm.dataset.online === "yes") { return; }
      event.preventDefault();
      answers(walkInForm.getAttribute("data-health-url")).then(function () {
        walkInForm.dataset.online = "yes";
        walkInForm.submit();
      }, function () { queueWalkIn(walkInForm); });
    });
  }

  // Resolves if the server answers within 2.5 s: the walk-in form is then sent as usual.
  function answers(url) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (controller) { controller.abort(); } }, 2500);
    return fetch(url, { cache: "no-store", signal: controller ? controller.signal : undefined })
      .then(function (response) { clearTimeout(timer); if (!response.ok) { throw new Error("down"); } });
  }

  function queueWalkIn(form) {
    var data = new FormData(form);
    var person = {};
    WALK_IN_FIELDS.forEach(function (name) {
      var value = data.get(name);
      if (value !== null && String(value).trim() !== "") { person[name] = String(value).trim().slice(0, 300); }
    });
    var problem = $("walk-in-offline");
    if (!person.full_name || !person.category_id) {
      problem.textContent = form.getAttribute("data-msg-incomplete");
      problem.classList.remove("hidden");
      return;
    }
    var slugOf = form.getAttribute("data-offline-slug");
    var nonce = randomId();
    var at = new Date().toISOString();
    var gate = String(data.get("gate") || "");
    var pick = { day: Number(data.get("day")) || null, session: Number(data.get("session")) || null };
    var action = { key: nonce, slug: slugOf, action: withPick({ nonce: nonce, kind: "walk_in", at: at, gate: gate,
      person: person }, pick) };
    run(queueDb, "actions", "readwrite", function (store) { store.put(action); }).then(function () {
      return run(rosterDb, "admitted", "readwrite", function (store) {
        store.put({ key: nonce, slug: slugOf, hash: "walk-in:" + nonce, at: at, gate: gate, day: pick.day,
          session: pick.session });
      });
    }).then(function () {
      try { window.sessionStorage.setItem("eventreg.walk-in-queued", person.full_name); } catch (e) { /* no note */ }
      window.location.href = form.getAttribute("data-scanner-url");
    });
  }

  // A queued action says which day and session it was for (a seminar of several days); nothing otherwise.
  function withPick(action, pick) {
    if (pick && pick.day) { action.day = pick.day; }
    if (pick && pick.session) { action.session = pick.session; }
    return action;
  }

  var root = document.getElementById("scanner");
  if (!root) { return; }
  var slug = root.getAttribute("data-slug");
  var rosterUrl = root.getAttribute("data-roster-url");
  var syncUrl = root.getAttribute("data-sync-url");
  var csrfMeta = document.querySelector("meta[name=csrf-token]");
  var msg = function (name) { return root.getAttribute("data-msg-" + name) || ""; };

  // ---- reading codes, as the server does (eventreg/tickets.py) --------------------------------------------
  function base32(text) {
    var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    var bits = 0;
    var value = 0;
    var out = [];
    for (var i = 0; i < text.length; i++) {
      var index = alphabet.indexOf(text[i]);
      if (index < 0) { return null; }
      value = (value << 5) | index;
      bits += 5;
      if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
    }
    return new Uint8Array(out);
  }
  function base64url(bytes) {
    var text = btoa(String.fromCharCode.apply(null, bytes));
    return text.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function fromBase64url(text) {
    var plain = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(plain, function (c) { return c.charCodeAt(0); });
  }

  function parse(code) {
    code = (code || "").trim();
    if (code.length > 500) { return null; }
    var upper = code.toUpperCase();
    if (upper.indexOf("ER2:") === 0) {
      var raw = base32(upper.slice(4));
      if (!raw || raw.length !== 88) { return null; }
      var head = raw.slice(0, 6);
      var view = new DataView(head.buffer);
      return { signed: true, seminarId: view.getUint32(0), keyId: view.getUint16(4), token: base64url(raw.slice(6, 24)),
        message: concat(new TextEncoder().encode(SIGNED_TAG), raw.slice(0, 24)), signature: raw.slice(24) };
    }
    var candidate = code;
    if (upper.indexOf("ER1:") === 0) { candidate = code.slice(4); }
    else if (/^https?:\/\//.test(code)) {
      var parts = new URL(code).pathname.split("/").filter(Boolean);
      var at = parts.indexOf("t");
      candidate = at !== -1 && at < parts.length - 1 ? parts[at + 1] : "";
    }
    return TOKEN.test(candidate) ? { signed: false, token: candidate } : null;
  }
  function concat(a, b) {
    var out = new Uint8Array(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  }

  function sha256hex(text) {
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (buffer) {
      return Array.prototype.map.call(new Uint8Array(buffer), function (b) { return ("0" + b.toString(16)).slice(-2); })
        .join("");
    });
  }

  function verify(parsed, roster) {
    var key = roster.keys.filter(function (k) { return k.id === parsed.keyId; })[0];
    if (!key) { return Promise.resolve(false); }
    if (!state.keys[key.public_key]) {
      state.keys[key.public_key] = crypto.subtle.importKey("raw", fromBase64url(key.public_key), { name: "Ed25519" },
        false, ["verify"]);
    }
    return state.keys[key.public_key].then(function (cryptoKey) {
      return crypto.subtle.verify({ name: "Ed25519" }, cryptoKey, parsed.signature, parsed.message);
    }).catch(function () { return false; }); // a browser without Ed25519: signed codes then need the roster
  }

  // ---- the roster --------------------------------------------------------------------------------------------
  function loadRoster() {
    return run(rosterDb, "rosters", "readonly", function (store) { return store.get(slug); }).then(function (saved) {
      state.roster = saved || null;
      if (state.roster && new Date(state.roster.seminar.checkin_closes_at) <= new Date()) { return forgetRoster(); }
      showStatus();
    }, function () { state.roster = null; });
  }

  function forgetRoster() {
    state.roster = null;
    showStatus();
    return run(rosterDb, "rosters", "readwrite", function (store) { store.delete(slug); });
  }

  function refreshRoster() {
    return fetch(rosterUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw { status: response.status }; }
        return response.json();
      }).then(function (roster) {
        markOnline();
        var entries = {};
        roster.entries.forEach(function (entry) { entries[entry.hash] = entry; });
        var saved = { key: slug, seminar: roster.seminar, days: roster.days || [], keys: roster.keys, entries: entries,
          generated_at: roster.generated_at };
        state.roster = saved;
        return run(rosterDb, "rosters", "readwrite", function (store) { store.put(saved); }).then(dropSyncedAdmissions);
      }).then(function () {
        if (state.roster && new Date(state.roster.seminar.checkin_closes_at) <= new Date()) { return forgetRoster(); }
        showStatus();
      }, function (failure) {
        if (!failure || failure.status === undefined) { markOffline(); }
        showStatus();
      });
  }

  // Admissions this device made offline count until the roster the server sends after their sync holds them.
  function dropSyncedAdmissions() {
    return all(queueDb, "actions").then(function (actions) {
      var waiting = {};
      actions.forEach(function (action) { waiting[action.key] = true; });
      return run(rosterDb, "admitted", "readwrite", function (store) {
        var request = store.getAll();
        request.onsuccess = function () {
          request.result.forEach(function (admission) {
            if (admission.slug === slug && !waiting[admission.key]) { store.delete(admission.key); }
          });
        };
      });
    });
  }

  // ---- deciding without the network --------------------------------------------------------------------------
  function timeIn(iso) {
    var zone = state.roster && state.roster.seminar.timezone;
    try {
      return new Intl.DateTimeFormat(document.documentElement.lang || undefined,
        { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: zone || undefined }).format(new Date(iso));
    } catch (e) { return new Date(iso).toTimeString().slice(0, 5); }
  }

  function refusal(status, title, message, entry) {
    return { status: status, title: title, message: message || "", offline: true, registration: entry ? asRegistration(entry) : null };
  }
  function asRegistration(entry) {
    return { id: null, full_name: entry.name, category: entry.category, category_is_student: entry.is_student,
      organization: "", status: entry.status };
  }

  // Whether an admission this device made counts for `where` ({day, session} of a seminar of several days, or
  // null): a session's admission also admitted its day, as on the server.
  function admitsFor(admission, where) {
    if (!where) { return true; }
    if (where.session) { return admission.session === where.session; }
    return admission.day === where.day;
  }

  function localAdmission(hash, where) {
    return run(rosterDb, "admitted", "readonly", function (store) { return store.getAll(); }).then(function (list) {
      return list.filter(function (a) { return a.slug === slug && a.hash === hash && admitsFor(a, where); })[0] || null;
    });
  }

  // The roster's check-in of the entry for `where` (a day or session), or for the seminar.
  function rosterCheckIn(entry, where) {
    if (!entry) { return null; }
    if (!where) { return entry.checked_in_at ? { at: entry.checked_in_at, gate: entry.gate } : null; }
    var at = where.session ? (entry.sessions || {})[where.session] : (entry.days || {})[where.day];
    return at ? { at: at, gate: "" } : null;
  }

  // What the door checks in for on a seminar of several days: the picked day (or session) as the roster knows
  // it, else the day whose door is open now; null on a seminar without days.
  function placeOf(pick, now) {
    var days = (state.roster && state.roster.days) || [];
    if (!days.length) { return null; }
    var day = days.filter(function (d) { return pick && d.id === pick.day; })[0] || (pick && pick.day ? null :
      days.filter(function (d) { return new Date(d.checkin_opens_at) <= now && now < new Date(d.checkin_closes_at); })[0]);
    if (!day) { return { day: null, session: null, opens: null, closes: null, part: null }; }
    var part = pick && pick.session ? day.sessions.filter(function (p) { return p.id === pick.session; })[0] : null;
    return { day: day.id, session: part ? part.id : null, part: part || null, opens: new Date(day.checkin_opens_at),
      closes: new Date(day.checkin_closes_at) };
  }

  // The same answers as online (eventreg/api/checkins.py), decided from the roster and this device's queue.
  function decide(code, gate, pick) {
    var roster = state.roster;
    if (!roster) { return Promise.resolve(refusal("error", msg("no-roster"), "")); }
    var parsed = parse(code);
    if (!parsed) { return Promise.resolve(refusal("unknown_code", msg("unknown"), msg("unknown-detail"))); }
    var checks = [sha256hex(parsed.token)];
    if (parsed.signed) {
      if (parsed.seminarId !== roster.seminar.id) {
        return Promise.resolve(refusal("wrong_seminar", msg("wrong-seminar"), msg("wrong-seminar-detail")));
      }
      checks.push(verify(parsed, roster));
    }
    return Promise.all(checks).then(function (results) {
      var hash = results[0];
      var signatureOk = parsed.signed && results[1];
      if (parsed.signed && !signatureOk) { return refusal("unknown_code", msg("unknown"), msg("forged")); }
      var entry = roster.entries[hash];
      if (!entry && !signatureOk) {
        return refusal("unknown_code", msg("unknown"), msg("unknown-detail"));
      }
      if (entry && entry.status === "cancelled") { return refusal("cancelled", msg("cancelled"), entry.name, entry); }
      if (entry && entry.status === "rejected") { return refusal("rejected", msg("rejected"), entry.name, entry); }
      if (entry && entry.status !== "confirmed") { return refusal("not_confirmed", msg("not-confirmed"), entry.name, entry); }
      if (entry && entry.email_confirmed === false) {
        return refusal("email_not_confirmed", msg("email-not-confirmed"), entry.name, entry);
      }
      var now = new Date();
      var organizer = root.getAttribute("data-organizer") === "true";
      var where = placeOf(pick, now);
      if (where) { return decideOnDay(code, gate, hash, entry, where, now, organizer); }
      if (!organizer && (now < new Date(roster.seminar.checkin_opens_at) || now >= new Date(roster.seminar.checkin_closes_at))) {
        return refusal("outside_window", msg("outside-window"), "", entry);
      }
      return localAdmission(hash, null).then(function (admitted) {
        var earlier = admitted ? { at: admitted.at, gate: admitted.gate } : rosterCheckIn(entry, null);
        if (earlier) { return already(earlier, entry); }
        return admit(code, gate, hash, entry, null);
      });
    });
  }

  function already(earlier, entry) {
    var detail = msg("at").replace("%(time)s", timeIn(earlier.at)) + (earlier.gate ? ", " + earlier.gate : "");
    return refusal("already_checked_in", msg("already"), detail, entry);
  }

  // A seminar of several days, as the server decides it (eventreg/checkin/services.py): once per day and per
  // session; a session with places only for those holding one; the day's own door hours.
  function decideOnDay(code, gate, hash, entry, where, now, organizer) {
    if (!where.day) { return Promise.resolve(refusal("outside_window", msg("outside-window"), "", entry)); }
    return localAdmission(hash, where).then(function (admitted) {
      var earlier = admitted ? { at: admitted.at, gate: admitted.gate } : rosterCheckIn(entry, where);
      if (earlier) { return already(earlier, entry); }
      if (where.part && where.part.needs_place && entry && (entry.places || []).indexOf(where.part.id) === -1) {
        return refusal("not_in_session", msg("not-in-session"), entry.name, entry);
      }
      if (!organizer && (now < where.opens || now >= where.closes)) {
        return refusal("outside_window", msg("outside-window"), "", entry);
      }
      return admit(code, gate, hash, entry, where);
    });
  }

  function admit(code, gate, hash, entry, where) {
    var nonce = randomId();
    var at = new Date().toISOString();
    var action = { key: nonce, slug: slug, action: withPick({ nonce: nonce, kind: "check_in", at: at, gate: gate,
      code: code }, where) };
    return run(queueDb, "actions", "readwrite", function (store) { store.put(action); }).then(function () {
      return run(rosterDb, "admitted", "readwrite", function (store) {
        store.put({ key: nonce, slug: slug, hash: hash, at: at, gate: gate, day: where ? where.day : null,
          session: where ? where.session : null });
      });
    }).then(function () {
      state.queued += 1;
      showStatus();
      var name = entry ? entry.name : msg("valid-ticket");
      return { status: "checked_in", title: msg("welcome"), message: name, offline: true, nonce: nonce,
        registration: entry ? asRegistration(entry) : { id: null, full_name: name, category: "", category_is_student: false,
          organization: "", status: "confirmed" } };
    });
  }

  // An admission the server has just made at this door, kept in the roster held in memory: if the network goes
  // before the next roster refresh, the same ticket is still "already checked in" here.
  function noteAdmitted(code, gate, pick) {
    var parsed = state.roster ? parse(code) : null;
    if (!parsed) { return Promise.resolve(); }
    return sha256hex(parsed.token).then(function (hash) {
      var entry = state.roster && state.roster.entries[hash];
      var where = placeOf(pick, new Date());
      var at = new Date().toISOString();
      if (!entry) { return; }
      if (!where) {
        if (!entry.checked_in_at) { entry.checked_in_at = at; entry.gate = gate; }
        return;
      }
      if (!where.day) { return; }
      entry.days = entry.days || {};
      entry.sessions = entry.sessions || {};
      if (where.session) { entry.sessions[where.session] = entry.sessions[where.session] || at; }
      entry.days[where.day] = entry.days[where.day] || at;  // a session's check-in also admits its day
    });
  }

  // Undo of an offline admission: queued like it, and the ticket may enter again on this device.
  function undo(nonce, gate) {
    var id = randomId();
    var action = { key: id, slug: slug, action: { nonce: id, kind: "undo", at: new Date().toISOString(), gate: gate,
      undoes: nonce } };
    return run(queueDb, "actions", "readwrite", function (store) { store.put(action); }).then(function () {
      return run(rosterDb, "admitted", "readwrite", function (store) { store.delete(nonce); });
    }).then(function () {
      state.queued += 1;
      showStatus();
      return { status: "undone", title: msg("undone"), message: "", offline: true };
    });
  }

  // ---- the queue and its sync -----------------------------------------------------------------------------
  function countQueue() {
    return all(queueDb, "actions").then(function (actions) {
      state.queued = actions.filter(function (a) { return a.slug === slug; }).length;
      showStatus();
      return actions;
    });
  }

  function sync() {
    if (state.syncing) { return state.syncing; }
    state.syncing = countQueue().then(function (actions) {
      var mine = actions.filter(function (a) { return a.slug === slug; }).slice(0, 500);
      if (!mine.length) { return null; }
      var headers = { "Content-Type": "application/json", "Accept": "application/json" };
      if (csrfMeta) { headers["X-CSRFToken"] = csrfMeta.getAttribute("content"); }
      return fetch(syncUrl, { method: "POST", credentials: "same-origin", headers: headers,
        body: JSON.stringify({ device: device, actions: mine.map(function (a) { return a.action; }) }) })
        .then(function (response) {
          return response.json().then(function (answer) {
            if (!response.ok) { throw { status: response.status, data: answer }; }
            return answer;
          });
        }).then(function (answer) {
          state.syncError = null;
          markOnline();
          return run(queueDb, "actions", "readwrite", function (store) {
            Object.keys(answer.results).forEach(function (nonce) { store.delete(nonce); });
          }).then(function () {
            body.dataset.synced = String(Number(body.dataset.synced || 0) + 1);
            body.dataset.syncedCheckedIn = String(answer.checked_in);
            document.dispatchEvent(new CustomEvent("eventreg:synced", { detail: answer }));
            return countQueue();
          }).then(refreshRoster);
        });
    }).catch(function (failure) {
      if (!failure || failure.status === undefined) { markOffline(); }
      else { state.syncError = failure.status; body.dataset.syncError = String(failure.status); }
      showStatus();
    }).then(function () { state.syncing = null; });
    return state.syncing;
  }

  // ---- online or not, and the status line -----------------------------------------------------------------
  function markOffline() {
    if (!state.online) { return; }
    state.online = false;
    showStatus();
  }
  function markOnline() {
    if (state.online) { return; }
    state.online = true;
    showStatus();
    sync();
  }

  function showStatus() {
    var connection = $("door-connection");
    if (!connection) { return; }
    connection.textContent = !state.online ? msg("offline") :
      state.syncError === 401 || state.syncError === 403 ? msg("sync-login") : msg("online");
    $("door-status").setAttribute("data-state", state.online ? "online" : "offline");
    body.dataset.connection = state.online ? "online" : "offline";
    $("door-queue").textContent = String(state.queued);
    body.dataset.queued = String(state.queued);
    var at = state.roster && state.roster.generated_at;
    $("door-roster-time").textContent = at ? timeIn(at) : msg("no-roster-short");
    body.dataset.rosterAt = at || "";
    var stale = !at || Date.now() - new Date(at).getTime() > STALE_MS;
    $("door-roster-stale").classList.toggle("hidden", !stale || (!at && state.online));
  }

  window.addEventListener("online", function () { sync().then(refreshRoster); });
  window.addEventListener("offline", markOffline);

  // ---- the service worker ----------------------------------------------------------------------------------
  function keepPage(worker, url) {
    return new Promise(function (resolve) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function (event) { resolve(event.data); };
      worker.postMessage({ type: "keep-page", url: url }, [channel.port2]);
    });
  }
  if ("serviceWorker" in navigator) {
    var hadController = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      // A new version took over: reload once, so this page runs on its files only, never a mix.
      if (hadController && state.online) { location.reload(); }
      hadController = true;
    });
    navigator.serviceWorker.register(root.getAttribute("data-worker-url"), { scope: root.getAttribute("data-worker-scope") })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        return Promise.all([keepPage(registration.active, location.href),
          keepPage(registration.active, root.getAttribute("data-walk-in-url"))]);
      })
      .then(function (kept) { if (kept[0]) { body.dataset.worker = kept[0]; } }, function () { body.dataset.worker = "none"; });
  }

  // The door's counters without the server: the roster's figures plus this device's queued admissions.
  // On a seminar of several days, for the picked day or session (as the online counts are).
  function counts(pick) {
    if (!state.roster) { return Promise.resolve(null); }
    var where = placeOf(pick, new Date());
    if (where && !where.day) { where = null; }
    return run(rosterDb, "admitted", "readonly", function (store) { return store.getAll(); }).then(function (list) {
      var confirmed = 0;
      var checkedIn = 0;
      var entries = state.roster.entries;
      Object.keys(entries).forEach(function (hash) {
        if (entries[hash].status !== "confirmed") { return; }
        confirmed += 1;
        if (rosterCheckIn(entries[hash], where)) { checkedIn += 1; }
      });
      var counted = {};
      list.forEach(function (admission) {
        if (admission.slug !== slug || !admitsFor(admission, where) || counted[admission.hash]) { return; }
        counted[admission.hash] = true;
        if (!rosterCheckIn(entries[admission.hash], where)) { checkedIn += 1; }
      });
      return { confirmed: confirmed, checked_in: checkedIn };
    });
  }

  window.EventregDoor = {
    counts: counts,
    isOnline: function () { return state.online; },
    markOffline: markOffline,
    markOnline: markOnline,
    decide: decide,
    noteAdmitted: noteAdmitted,
    undo: undo,
    sync: sync,
    queued: function () { return state.queued; },
    ready: function () { return state.ready; }
  };

  // A walk-in queued on the walk-in page: say so here, where the staff member lands.
  var queuedWalkIn = null;
  try {
    queuedWalkIn = window.sessionStorage.getItem("eventreg.walk-in-queued");
    window.sessionStorage.removeItem("eventreg.walk-in-queued");
  } catch (e) { /* no note */ }
  if (queuedWalkIn) {
    $("walk-in-queued").textContent = msg("walk-in-queued").replace("%(name)s", queuedWalkIn);
    $("walk-in-queued").classList.remove("hidden");
  }

  state.ready = loadRoster().then(countQueue).then(function () {
    if (state.online) { refreshRoster().then(sync); }
  });
  setInterval(function () { if (state.online) { refreshRoster(); } }, ROSTER_EVERY_MS);
  // Back online is noticed by the next attempt: a sync when something waits, a roster download otherwise.
  setInterval(function () {
    if (state.queued) { sync(); } else if (!state.online) { refreshRoster(); }
    showStatus();
  }, SYNC_EVERY_MS);
  body.dataset.offlineReady = "true";
})();
