/*!
 * ws-supervisor.js: the browser client for ws-supervisor apps. No dependencies.
 * Served by every ws-supervisor at /ws-supervisor.js (classic script: sets window.WsSupervisor)
 * and /ws-supervisor.mjs (ES module: import { WsSupervisor } from "/ws-supervisor.mjs").
 * API and backoff rules: docs/client.md.
 */
(function (root) {
  "use strict";

  // Backoff (docs/client.md, "Reconnecting"): after the n-th failure in a row the wait is
  // drawn uniformly from [floor, min(maxDelayMs, floor * factor^n)] ("full jitter" above a
  // floor, so many tabs spread out after a restart yet none retries faster than the floor).
  // floor = baseDelayMs, or slowBaseDelayMs after a close saying "not now" (1013) or
  // "not allowed" (1008).
  var DEFAULTS = {
    protocols: undefined,
    reconnect: true,
    reconnectOnNormalClose: false,
    baseDelayMs: 500,
    slowBaseDelayMs: 5000,
    factor: 2,
    maxDelayMs: 30000,
    stableAfterMs: 5000,
    maxQueue: 100,
    binaryType: "arraybuffer",
  };

  var SLOW_CODES = [1008, 1013];
  var CALLBACKS = ["onMessage", "onJson", "onOpen", "onClose", "onStateChange"];
  var OPEN = 1;
  var CONNECTING = 0;

  /** ws:// or wss:// for a URL given as ws(s)://, http(s):// or relative to the page. */
  function resolveUrl(url) {
    var base = root.location ? root.location.href : undefined;
    var parsed = new URL(String(url), base);
    if (parsed.protocol === "http:") parsed.protocol = "ws:";
    else if (parsed.protocol === "https:") parsed.protocol = "wss:";
    return parsed.href;
  }

  class WsSupervisor {
    /**
     * Opens a connection now and keeps it open: see docs/client.md for every option.
     * @param {string} url  "/chat.sh", "ws://host:8080/chat.sh", "https://host/ws/chat" ...
     * @param {object} [options]
     */
    constructor(url, options) {
      options = options || {};
      this.url = resolveUrl(url);
      this.options = Object.assign({}, DEFAULTS, options);
      for (var i = 0; i < CALLBACKS.length; i++) this[CALLBACKS[i]] = options[CALLBACKS[i]] || null;
      /** "connecting" | "open" | "reconnecting" | "closed" */
      this.state = "connecting";
      /** Failed attempts in a row (reset by a connection that stayed open stableAfterMs). */
      this.failures = 0;
      /** The wait before the next attempt, while reconnecting; else 0. */
      this.retryDelayMs = 0;
      this._queue = [];
      this._socket = null;
      this._timer = null;
      this._openedAt = 0;
      this._stopped = false;
      this._connect();
    }

    /** The uniform range [min, max] in ms of the wait after the n-th failure in a row
     * (n >= 1) that ended with close code `code`, under `options` (defaults if omitted). */
    static delayRange(failures, code, options) {
      var o = Object.assign({}, DEFAULTS, options || {});
      var floor = SLOW_CODES.indexOf(code) >= 0 ? o.slowBaseDelayMs : o.baseDelayMs;
      var ceiling = Math.min(o.maxDelayMs, floor * Math.pow(o.factor, Math.max(1, failures)));
      return [floor, Math.max(floor, ceiling)];
    }

    /** JSON.parse that returns undefined instead of throwing. */
    static parseJson(text) {
      try {
        return JSON.parse(text);
      } catch (e) {
        return undefined;
      }
    }

    /** Sends now if open, else queues (at most maxQueue messages, sent in order on the next
     * open). Returns false if the message was dropped: queue full, or closed for good. */
    send(data) {
      if (this.state === "closed") return false;
      if (this._socket && this._socket.readyState === OPEN) {
        this._socket.send(data);
        return true;
      }
      if (this._queue.length >= this.options.maxQueue) return false;
      this._queue.push(data);
      return true;
    }

    /** send(JSON.stringify(value)). */
    sendJson(value) {
      return this.send(JSON.stringify(value));
    }

    /** Skips the rest of the current wait and tries now (e.g. a "retry" button). */
    reconnectNow() {
      if (this.state !== "reconnecting" || this._timer === null) return;
      clearTimeout(this._timer);
      this._timer = null;
      this._connect();
    }

    /** Closes for good: no reconnect, queued messages dropped, state "closed". */
    close(code, reason) {
      if (this.state === "closed") return;
      this._stopped = true;
      if (this._timer !== null) clearTimeout(this._timer);
      this._timer = null;
      var socket = this._socket;
      this._socket = null;
      if (socket) {
        socket.onmessage = null;
        socket.onclose = null;
        if (socket.readyState === CONNECTING) {
          // Closing a socket that is still connecting makes browsers log an error; let it
          // open first, then close it.
          socket.onopen = function () { socket.close(code || 1000, reason || ""); };
        } else {
          socket.onopen = null;
          socket.close(code || 1000, reason || "");
        }
      }
      this._finish({ code: code || 1000, reason: reason || "", wasClean: true });
    }

    _connect() {
      var socket = this.options.protocols === undefined
        ? new WebSocket(this.url)
        : new WebSocket(this.url, this.options.protocols);
      socket.binaryType = this.options.binaryType;
      this._socket = socket;
      this.retryDelayMs = 0;
      var self = this;
      socket.onopen = function () { self._onOpen(socket); };
      socket.onmessage = function (event) { self._onMessage(socket, event); };
      socket.onclose = function (event) { self._onSocketClose(socket, event); };
      // "error" is always followed by "close", which decides what happens next.
    }

    _onOpen(socket) {
      if (socket !== this._socket) return;
      this._openedAt = Date.now();
      while (this._queue.length > 0 && socket.readyState === OPEN) socket.send(this._queue.shift());
      this._setState("open");
      this._emit("onOpen", { url: this.url });
    }

    _onMessage(socket, event) {
      if (socket !== this._socket) return;
      this._emit("onMessage", event.data, event);
      if (typeof this.onJson === "function" && typeof event.data === "string") {
        var value = WsSupervisor.parseJson(event.data);
        if (value !== undefined) this._emit("onJson", value, event);
      }
    }

    _onSocketClose(socket, event) {
      if (socket !== this._socket) return;
      this._socket = null;
      if (this._openedAt > 0 && Date.now() - this._openedAt >= this.options.stableAfterMs) this.failures = 0;
      this._openedAt = 0;
      var info = { code: event.code, reason: event.reason, wasClean: event.wasClean };
      var normal = event.code === 1000 && !this.options.reconnectOnNormalClose;
      if (this._stopped || !this.options.reconnect || normal) {
        this._finish(info);
        return;
      }
      this.failures += 1;
      var range = WsSupervisor.delayRange(this.failures, event.code, this.options);
      var delay = Math.round(range[0] + Math.random() * (range[1] - range[0]));
      this.retryDelayMs = delay;
      var self = this;
      this._timer = setTimeout(function () {
        self._timer = null;
        self._connect();
      }, delay);
      this._setState("reconnecting");
      info.willReconnect = true;
      info.delayMs = delay;
      this._emit("onClose", info);
    }

    _finish(info) {
      this._stopped = true;
      this._queue.length = 0;
      this.retryDelayMs = 0;
      this._setState("closed");
      info.willReconnect = false;
      info.delayMs = 0;
      this._emit("onClose", info);
    }

    _setState(state) {
      var previous = this.state;
      if (previous === state) return;
      this.state = state;
      this._emit("onStateChange", state, previous);
    }

    // A callback that throws must not break the reconnect loop; its error is re-thrown
    // on its own so it still shows in the console as uncaught.
    _emit(name) {
      var callback = this[name];
      if (typeof callback !== "function") return;
      try {
        callback.apply(this, Array.prototype.slice.call(arguments, 1));
      } catch (error) {
        setTimeout(function () { throw error; }, 0);
      }
    }
  }

  WsSupervisor.DEFAULTS = Object.freeze(Object.assign({}, DEFAULTS));
  WsSupervisor.VERSION = "0.1.0";

  root.WsSupervisor = WsSupervisor;
  if (typeof module === "object" && module && module.exports) module.exports = WsSupervisor;
})(typeof globalThis !== "undefined" ? globalThis : typeof self !== "undefined" ? self : this);
