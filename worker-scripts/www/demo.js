// The demo page: four WebSocket apps through the WsSupervisor client (/ws-supervisor.js).
// Every connection also receives what anyone writes into the global FIFO, so the clock,
// presence and progress boxes keep only the JSON messages of their own "type"; the chat
// shows everything it gets.
"use strict";

const $ = (id) => document.getElementById(id);
const MAX_LOG = 200;

function showState(element, client, text) {
  const state = client ? client.state : text;
  element.dataset.state = state;
  element.textContent = text || (state === "reconnecting" && client.retryDelayMs > 0
    ? `reconnecting in ${Math.max(1, Math.round(client.retryDelayMs / 1000))} s`
    : state);
}

// --- chat (chat.sh: "NAME: text" for every line anyone sends) ---------------------------

const chatLog = $("chat-log");
let chat = null;
let myName = "";

function cleanName(name) {
  // chat.sh keeps the same characters and length.
  return String(name || "").replace(/[^A-Za-z0-9_.-]/g, "").slice(0, 16);
}

function addLine(kind, who, text) {
  const item = document.createElement("li");
  item.className = kind;
  if (who) {
    const name = document.createElement("span");
    name.className = "who";
    name.textContent = who + ": ";
    item.append(name);
  }
  item.append(document.createTextNode(text));
  const atBottom = chatLog.scrollTop + chatLog.clientHeight >= chatLog.scrollHeight - 4;
  chatLog.append(item);
  while (chatLog.children.length > MAX_LOG) chatLog.firstElementChild.remove();
  if (atBottom) chatLog.scrollTop = chatLog.scrollHeight;
}

function onChatMessage(text) {
  if (typeof text !== "string") return;
  const said = /^([A-Za-z0-9_.-]{1,16}): (.*)$/s.exec(text);
  if (said) addLine(said[1] === myName ? "said mine" : "said", said[1], said[2]);
  else if (/^\(.*\)$/.test(text)) addLine("notice", "", text);
  else addLine("broadcast", "broadcast", text);
}

function joinChat(name) {
  myName = cleanName(name) || "guest" + String(Math.floor(1000 + Math.random() * 9000));
  $("chat-name").value = myName;
  if (chat) chat.close();
  let wasOpen = false;
  chat = new WsSupervisor("/chat.sh?name=" + encodeURIComponent(myName), {
    onMessage: onChatMessage,
    onOpen() {
      addLine("notice", "", wasOpen ? "Reconnected." : `Joined as ${myName}.`);
      wasOpen = true;
    },
    onClose(event) {
      if (event.willReconnect && wasOpen && this.failures === 1)
        addLine("notice", "", "Connection lost; reconnecting by itself…");
      else if (!event.willReconnect && event.reason === "idle timeout")
        addLine("notice", "", "Closed by the server after a quiet spell (--idle-timeout); reload the page to rejoin.");
    },
    onStateChange() { showState($("chat-state"), this); },
  });
  showState($("chat-state"), chat);
}

$("chat-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("chat-input");
  const text = input.value.trim();
  if (!text) return;
  const open = chat.state === "open";
  if (chat.state === "closed") addLine("notice", "", "(not sent: the connection is closed; reload the page to rejoin)");
  else if (!chat.send(text)) addLine("notice", "", "(not sent: too many messages waiting for the connection)");
  else if (!open) addLine("notice", "", "(queued: sent when the connection is back)");
  input.value = "";
});

$("chat-name").addEventListener("change", (event) => {
  if (cleanName(event.target.value) !== myName) joinChat(event.target.value);
});

// --- clock (clock.sh) ---------------------------------------------------------------------

const clock = new WsSupervisor("/clock.sh", {
  onJson(message) {
    if (message.type !== "clock") return;
    $("clock-time").textContent = message.time;
    $("clock-date").textContent = `${message.date} ${message.zone}, pushed every second by a bash loop.`;
  },
  onStateChange() { showState($("clock-state"), this); },
});

// --- presence and the bus paths (presence.sh) -------------------------------------------

function shellQuote(text) {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : "'" + text.replace(/'/g, "'\\''") + "'";
}

function showBus(bus) {
  const binary = bus.binary || "ws-supervisor";
  const slash = bus.control.lastIndexOf("/");
  const where = bus.control.slice(slash + 1) === "control.sock"
    ? "--run-dir=" + shellQuote(bus.control.slice(0, slash))
    : "--control=" + shellQuote(bus.control);
  $("broadcast-cli").textContent = bus.control
    ? `${shellQuote(binary)} broadcast ${where} 'hello from the shell'`
    : "(the control socket is off: --control=off)";
  $("broadcast-fifo").textContent = bus.fifo
    ? `echo 'hello from the shell' > ${shellQuote(bus.fifo)}`
    : "(the global FIFO is off: --fifo=off)";
}

function showPresence(counts) {
  if (counts.error) {
    $("presence-paths").textContent = counts.error;
    return;
  }
  const paths = counts.paths || {};
  $("presence-connections").textContent = counts.connections;
  $("presence-tabs").textContent = paths["/presence.sh"] || 0;
  $("presence-users").textContent = counts.users;
  const parts = Object.keys(paths).map((path) => `${path.replace(/^\//, "")} ${paths[path]}`);
  $("presence-paths").textContent = "Per app: " + parts.join(" · ");
}

const presence = new WsSupervisor("/presence.sh", {
  onJson(message) {
    if (message.type === "bus") showBus(message);
    else if (message.type === "presence") showPresence(message);
  },
  onStateChange() { showState($("presence-state"), this); },
});

// --- a long job (progress.php) ------------------------------------------------------------

$("progress-start").addEventListener("click", () => {
  const button = $("progress-start");
  const bar = $("progress-bar");
  const text = $("progress-text");
  const state = $("progress-state");
  let heard = false;
  let done = null;
  button.disabled = true;
  bar.value = 0;
  text.textContent = "Starting…";
  showState(state, null, "running");
  // A job is not restarted by reconnecting: reconnect: false.
  new WsSupervisor("/progress.php?steps=20", {
    reconnect: false,
    onJson(message) {
      if (message.type !== "progress") return;
      heard = true;
      bar.value = message.percent;
      if (message.done) done = message;
      else text.textContent = message.message;
    },
    onClose(event) {
      button.disabled = false;
      if (done) {
        text.textContent = `Done: ${done.total} steps in ${done.seconds} s. The app exited; the connection closed with ${event.code}.`;
        showState(state, null, "done");
      } else if (!heard && event.code === 1011) {
        text.textContent = "progress.php did not start: is php-cli installed? (apt-get install php-cli)";
        showState(state, null, "failed");
      } else {
        text.textContent = `The job's connection ended early (code ${event.code}).`;
        showState(state, null, "failed");
      }
    },
  });
});

joinChat(new URLSearchParams(location.search).get("name"));
showState($("clock-state"), clock);
showState($("presence-state"), presence);
