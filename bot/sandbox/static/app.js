// The sandbox chat page: pick a persona, read its private chat with the bot, press buttons, type, send files.
// Each persona is on Telegram or on Zalo (the "Kênh" switch): on Zalo its chat is the Zalo one, plain text with
// numbered replies and no buttons; what it types and the photos it sends go to the bot through Zalo.
// Plain DOM: every text from the bot or the user goes through textContent, never parsed as HTML.
"use strict";

const POLL_MS = 1000;
const ANSWER_MS = 10000;  // after a press or a command, the bot's answer within this time is brought into view
const NEXT_DEBOUNCE_MS = 700;  // ⏩ tapped twice by mistake moves the clock once
const NEXT_WAIT_S = 1.5;  // ⏩ answers by then even if its messages are still going out
const INVITE = /https:\/\/t\.me\/[A-Za-z0-9_]+\?start=([A-Za-z0-9_-]+)/;
const URL_RE = /https?:\/\/[^\s]+/g;
const ROLE_VI = { admin: "quản trị (Văn phòng Sở)", leader: "Lãnh đạo Sở", head: "trưởng đơn vị" };
const CHIPS = [
  ["/help", true], ["/viec", true], ["/tiendo", true], ["/quahan", true], ["/tonghop", true],
  ["/nhiemvu ", false], ["/lich", true], ["/moi ", false, "admin"], ["/thanhvien", true, "admin"], ["/xuat", true, "admin"],
];

const $ = (id) => document.getElementById(id);
const state = {
  personas: [], byId: new Map(), current: null, epoch: 0, rev: 0, seen: {}, activity: {},
  nodes: new Map(), busy: false, timer: null, awaiting: 0, lastNext: 0, nextInFlight: 0, note: "",
};

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

async function api(path, options = {}) {
  const init = { method: options.method || "GET", headers: { "X-Sandbox": "1" } };
  if (options.json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.json);
  } else if (options.form) {
    init.body = options.form;
  }
  const response = await fetch(path, init);
  let body = {};
  try { body = await response.json(); } catch (e) { body = { ok: false, error: await response.text().catch(() => "") }; }
  if (!response.ok || body.ok === false) throw new Error(body.error || `Lỗi ${response.status}`);
  return body;
}

let toastTimer = null;
function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, 2500);
}

// --- personas ---------------------------------------------------------------------------------
function personaLabel(p) {
  const unseen = p.id !== state.current && (state.activity[p.id] || 0) > (state.seen[p.id] || 0);
  return (unseen ? "● " : "") + p.label + (p.channel === "zalo" ? " · Zalo" : "");
}

function onZalo() {
  const p = state.byId.get(state.current);
  return Boolean(p && p.channel === "zalo");
}

// The switch, the header's colour, the Zalo hint bar and the composer follow the current persona's channel.
function drawChannel() {
  const zalo = onZalo();
  for (const button of $("channel").querySelectorAll("button")) {
    button.setAttribute("aria-pressed", String(button.dataset.channel === (zalo ? "zalo" : "telegram")));
  }
  document.body.classList.toggle("zalo", zalo);
  $("zalobar").hidden = !zalo;
  $("file").accept = zalo ? "image/*" : "";
  $("file").parentElement.title = zalo ? "Gửi ảnh (Zalo chỉ nhận ảnh)" : "Gửi tài liệu kiểm chứng";
  $("text").placeholder = zalo ? "Nhắn qua Zalo: gõ số để trả lời, hoặc lệnh (/viec)…"
    : "Gõ lệnh (/help) hoặc tin nhắn…";
}

async function switchChannel(channel, button) {
  const p = state.byId.get(state.current);
  if (!p || p.channel === channel) return;
  for (const b of $("channel").querySelectorAll("button")) b.disabled = true;
  try {
    const body = await api(`/api/chat/${p.id}/channel`, { method: "POST", json: { channel } });
    p.channel = body.channel;
    choose(p.id);
    toast(channel === "zalo" ? `${p.name} nhận tin qua Zalo từ bây giờ.` : `${p.name} nhận tin qua Telegram từ bây giờ.`);
  } catch (e) {
    toast(e.message);
  } finally {
    for (const b of $("channel").querySelectorAll("button")) b.disabled = false;
    if (button) button.blur();
  }
}

function fillPicker() {
  const select = $("persona");
  select.replaceChildren();
  const groups = new Map();
  for (const p of state.personas) {
    if (!groups.has(p.group)) {
      const group = el("optgroup");
      group.label = p.group;
      groups.set(p.group, group);
      select.append(group);
    }
    const option = el("option", null, personaLabel(p));
    option.value = String(p.id);
    groups.get(p.group).append(option);
  }
  select.value = String(state.current);
}

function refreshPickerBadges() {
  for (const option of $("persona").options) {
    const p = state.byId.get(Number(option.value));
    const label = personaLabel(p);
    if (option.textContent !== label) option.textContent = label;
  }
}

function describe(p, roles) {
  const known = roles || (p.role ? [{ role: p.role, unit: p.unit }] : []);
  if (!known.length) return `${p.name} · chưa đăng ký với bot: cần một đường dẫn mời của Văn phòng Sở (/moi).`;
  const what = known.map((r) => ROLE_VI[r.role] + (r.role === "head" && r.unit ? ` ${r.unit}` : ""));
  return `${p.name} · ${what.join(", ")}`;
}

function emptyText(p) {
  if (p.channel === "zalo") return "Chưa có tin nhắn Zalo.\nTrên Zalo, lời nhắc đến dưới dạng chữ kèm các lựa chọn đánh số: gõ số (vd. 1) thay cho bấm nút.";
  if (!p.role) return "Người mới chưa được đăng ký.\nChọn “Văn phòng Sở (quản trị)”, gõ /moi TCCB, rồi bấm “Mở lời mời” dưới đường dẫn mời.";
  if (p.role === "admin") return "Chưa có tin nhắn.\nGõ /help để xem lệnh, /moi TCCB để mời trưởng phòng, /tiendo để xem tiến độ.";
  if (p.role === "leader") return "Chưa có tin nhắn.\nLãnh đạo Sở nhận báo cáo leo thang và bản tổng hợp hằng tuần. Gõ /tiendo hoặc /tonghop.";
  return "Chưa có tin nhắn.\nLời nhắc đến lúc 08:00 ngày làm việc (⏩ để tới ngay). Gõ /viec để xem việc đang mở.";
}

function choose(id) {
  if (!state.byId.has(id)) return;
  state.current = id;
  state.rev = 0;
  state.nodes.clear();
  const p = state.byId.get(id);
  $("persona").value = String(id);
  $("role").textContent = describe(p);
  $("chat").replaceChildren(el("p", "empty", emptyText(p) + (state.note ? `\n\n${state.note}` : "")));
  drawChannel();
  drawChips(p);
  try { localStorage.setItem("nhacviec.persona", String(id)); } catch (e) { /* private mode */ }
  if (location.hash !== `#${id}`) history.replaceState(null, "", `#${id}`);
  refreshPickerBadges();
  refresh();
  soon();  // a poll for the previous persona may still be in flight
}

function drawChips(p) {
  const box = $("chips");
  box.replaceChildren();
  for (const [command, immediate, role] of CHIPS) {
    if (role && p.role !== role) continue;
    const chip = el("button", null, command.trim());
    chip.type = "button";
    chip.addEventListener("click", () => {
      if (immediate) { send(command); return; }
      $("text").value = command;
      $("text").focus();
    });
    box.append(chip);
  }
}

// --- drawing messages ------------------------------------------------------------------------
function appendText(parent, text) {
  let last = 0;
  for (const match of text.matchAll(URL_RE)) {
    parent.append(document.createTextNode(text.slice(last, match.index)));
    const link = el("a", null, match[0]);
    link.href = match[0];
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    const invite = match[0].match(INVITE);
    if (invite) {
      link.addEventListener("click", (event) => {
        event.preventDefault();
        const box = link.closest(".msg").querySelector(".invite select");
        acceptInvite(invite[1], Number(box ? box.value : defaultInvitee()));
      });
    }
    parent.append(link);
    last = match.index + match[0].length;
  }
  parent.append(document.createTextNode(text.slice(last)));
}

function defaultInvitee() {
  const newcomer = state.personas.find((p) => !p.role);
  return newcomer ? newcomer.id : state.current;
}

function inviteBox(code) {
  const box = el("div", "invite");
  box.append(el("span", null, "Nhận lời mời với tư cách"));
  const select = el("select");
  select.setAttribute("aria-label", "Người nhận lời mời");
  for (const p of state.personas) {
    const option = el("option", null, p.label);
    option.value = String(p.id);
    select.append(option);
  }
  select.value = String(defaultInvitee());
  const go = el("button", null, "Mở lời mời ▶");
  go.type = "button";
  go.addEventListener("click", () => acceptInvite(code, Number(select.value)));
  box.append(select, go);
  return box;
}

function formatSize(bytes) {
  if (bytes >= 1048576) return `${(bytes / 1048576).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} byte`;
}

function drawMessage(m) {
  const zalo = m.channel === "zalo";
  if (m.kind === "alert") return el("div", zalo ? "alert zalo" : "alert", `${zalo ? "ℹ️" : "🔔"} ${m.text}`);
  const node = el("div", `msg ${m.from === "user" ? "user" : "bot"}${zalo ? " zalo" : ""}`);
  node.dataset.id = String(m.id);
  if (m.deleted) {
    node.classList.add("deleted");
    node.textContent = "Tin nhắn đã bị xóa";
    return node;
  }
  if (m.photo && m.photo.url) {
    const img = el("img");
    img.src = m.photo.url;
    img.alt = m.text || "Ảnh";
    img.loading = "lazy";
    const full = el("a");  // a phone screen is narrow: tap for the full-size picture
    full.href = m.photo.url;
    full.target = "_blank";
    full.rel = "noopener";
    full.append(img);
    node.append(full);
  }
  if (m.document) {
    const doc = el("a", "doc");
    doc.href = m.document.url || "#";
    doc.setAttribute("download", m.document.name);
    doc.append(el("span", null, `📄 ${m.document.name}`), el("span", "size", formatSize(m.document.size || 0)));
    node.append(doc);
  }
  if (m.text) {
    const text = el("div", "text");
    appendText(text, m.text);
    node.append(text);
    const invite = m.from === "bot" && m.text.match(INVITE);
    if (invite) node.append(inviteBox(invite[1]));
  }
  if (m.buttons && m.buttons.length) {
    const rows = el("div", "buttons");
    for (const row of m.buttons) {
      const line = el("div", "brow");
      for (const b of row) {
        if (b.url) {
          const link = el("a", null, b.text);
          link.href = b.url;
          link.target = "_blank";
          link.rel = "noopener noreferrer";
          line.append(link);
          continue;
        }
        const button = el("button", null, b.text);
        button.type = "button";
        button.addEventListener("click", () => press(m.id, b.data, button));
        line.append(button);
      }
      rows.append(line);
    }
    node.append(rows);
  }
  const meta = el("div", "meta", m.at + (m.edited ? " · đã sửa" : ""));
  if (zalo) meta.prepend(el("span", "badge", "Zalo"));
  node.append(meta);
  return node;
}

// An edit (a checklist's next page, a card's new buttons) replaces the bubble where it is; a new
// message goes in chat order. The bot's answer to a press or a command is brought into view.
function apply(messages) {
  const chat = $("chat");
  if (!messages.length) return;
  const nearBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 80;
  const empty = chat.querySelector(".empty");
  if (empty) empty.remove();
  let mine = false;
  let added = null;
  let edited = null;
  for (const m of messages) {
    const node = drawMessage(m);
    node.dataset.seq = String(m.seq);
    const old = state.nodes.get(m.seq);
    if (old) {
      old.replaceWith(node);
      if (m.from !== "user") edited = node;
    } else {
      const after = [...chat.children].find((child) => Number(child.dataset.seq) > m.seq);
      chat.insertBefore(node, after || null);
      mine = mine || m.from === "user";
      if (m.from !== "user") added = node;
    }
    state.nodes.set(m.seq, node);
  }
  const answer = Date.now() < state.awaiting ? (added || edited) : null;
  if (answer) {
    reveal(answer, chat);
  } else if (nearBottom || mine) {
    chat.scrollTop = chat.scrollHeight;
  }
}

function reveal(node, chat) {
  // A message taller than the chat shows its beginning; a shorter one is scrolled just into view.
  const tall = node.offsetHeight > chat.clientHeight - 16;
  node.scrollIntoView({ block: tall ? "start" : "nearest" });
  node.classList.remove("flash");
  void node.offsetWidth;  // restart the highlight
  node.classList.add("flash");
}

function expectAnswer() {
  state.awaiting = Date.now() + ANSWER_MS;
}

function showClock(clock) {
  const box = $("clock");
  const text = `🕗 ${clock.weekday} ${clock.date} ${clock.time}`;
  const speed = clock.speed && clock.speed !== 1 ? ` · ×${clock.speed}` : "";
  if (box.dataset.shown === text + speed) return;
  box.dataset.shown = text + speed;
  box.replaceChildren(document.createTextNode(text), el("span", "speed", speed));
  box.title = `Đồng hồ diễn tập${speed ? `, nhanh gấp ${clock.speed} lần` : ""}`;
}

// --- talking to the sandbox -------------------------------------------------------------------
async function refresh() {
  if (state.busy || state.current === null) return;
  state.busy = true;
  const asked = state.current;
  try {
    const body = await api(`/api/chat/${asked}?after=${state.rev}`);
    if (asked !== state.current) return;
    const p = state.byId.get(asked);
    if (body.channel !== p.channel) {  // switched elsewhere (another tab, a reset): draw the other chat
      p.channel = body.channel;
      state.busy = false;
      choose(asked);
      return;
    }
    if (body.epoch !== state.epoch) {  // the sandbox was reset: start this chat again
      state.epoch = body.epoch;
      state.seen = {};
      if (state.rev !== 0) { state.busy = false; choose(asked); return; }
    }
    apply(body.messages);
    state.rev = body.rev;
    state.activity = body.activity;
    const line = describe(state.byId.get(asked), body.roles);
    if ($("role").textContent !== line) $("role").textContent = line;
    state.seen[asked] = body.activity[asked] || 0;
    refreshPickerBadges();
    showClock(body.clock);
  } catch (e) {
    $("clock").textContent = "⚠️ mất kết nối với chế độ thử";
  } finally {
    state.busy = false;
  }
}

function soon() {
  for (const delay of [150, 450, 900]) setTimeout(refresh, delay);
}

async function send(text) {
  const who = state.current;
  try {
    expectAnswer();
    await api(`/api/chat/${who}/send`, { method: "POST", json: { text } });
    soon();
    return true;
  } catch (e) {
    toast(e.message);
    return false;
  }
}

async function press(messageId, data, button) {
  button.disabled = true;
  try {
    expectAnswer();
    await api(`/api/chat/${state.current}/press`, { method: "POST", json: { message_id: messageId, data } });
    soon();
  } catch (e) {
    toast(e.message);
  } finally {
    setTimeout(() => { button.disabled = false; }, 1200);
  }
}

async function acceptInvite(code, personaId) {
  try {
    await api(`/api/chat/${personaId}/send`, { method: "POST", json: { text: `/start ${code}` } });
    choose(personaId);
    soon();
  } catch (e) {
    toast(e.message);
  }
}

async function upload(file) {
  const form = new FormData();
  form.append("file", file, file.name);
  toast(`Đang gửi ${file.name}…`);
  try {
    await api(`/api/chat/${state.current}/upload`, { method: "POST", form });
    soon();
  } catch (e) {
    toast(e.message);
  }
}

// ⏩ stays usable while the messages of the last jump go out: a second tap moves the clock on (the
// sandbox sends the rest meanwhile). Two taps closer than NEXT_DEBOUNCE_MS count as one.
async function nextEvent(button) {
  const now = Date.now();
  if (now - state.lastNext < NEXT_DEBOUNCE_MS) return;
  state.lastNext = now;
  state.nextInFlight += 1;
  expectAnswer();
  button.setAttribute("aria-busy", "true");
  try {
    const body = await api(`/api/clock/next?wait=${NEXT_WAIT_S}`, { method: "POST" });
    showClock(body.clock);
    const sending = body.sending ? " · đang gửi tin…" : "";
    toast(`⏩ ${body.target.weekday} ${body.target.date} ${body.target.time}${sending}`);
    soon();
  } catch (e) {
    toast(e.message);
  } finally {
    state.nextInFlight -= 1;
    if (!state.nextInFlight) button.removeAttribute("aria-busy");
  }
}

async function reset(button) {
  if (!window.confirm("Làm lại từ đầu? Mọi tin nhắn bị xóa, đồng hồ về lúc bắt đầu.")) return;
  button.disabled = true;
  try {
    const body = await api("/api/reset", { method: "POST" });
    state.epoch = body.epoch;
    state.seen = {};
    state.activity = {};
    for (const p of state.personas) p.channel = "telegram";  // a reset brings everyone back to Telegram
    fillPicker();
    choose(state.current);
    toast("Đã làm lại từ đầu.");
  } catch (e) {
    toast(e.message);
  } finally {
    button.disabled = false;
  }
}

async function start() {
  const body = await api("/api/personas");
  state.personas = body.personas;
  state.byId = new Map(body.personas.map((p) => [p.id, p]));
  state.epoch = body.epoch;
  state.note = body.note || "";  // the deadlines closed before the rehearsal's first day
  document.title = `${body.bot.name} — chế độ thử`;
  let stored = null;
  try { stored = localStorage.getItem("nhacviec.persona"); } catch (e) { /* private mode */ }
  const wanted = [Number(location.hash.slice(1)), Number(stored)].find((id) => state.byId.has(id));
  state.current = wanted || body.personas[0].id;
  fillPicker();
  choose(state.current);
  $("persona").addEventListener("change", (event) => choose(Number(event.target.value)));
  $("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("text");
    const text = input.value.trim();
    if (!text) return;
    if (await send(text)) input.value = "";
  });
  $("file").addEventListener("change", (event) => {
    const file = event.target.files[0];
    if (file) upload(file);
    event.target.value = "";
  });
  for (const button of $("channel").querySelectorAll("button")) {
    button.addEventListener("click", () => switchChannel(button.dataset.channel, button));
  }
  $("next").addEventListener("click", (event) => nextEvent(event.currentTarget));
  $("reset").addEventListener("click", (event) => reset(event.currentTarget));
  window.addEventListener("hashchange", () => choose(Number(location.hash.slice(1))));
  state.timer = setInterval(refresh, POLL_MS);
}

start().catch((e) => { $("empty").textContent = `Không tải được chế độ thử: ${e.message}`; });
