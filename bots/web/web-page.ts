/**
 * The web chat page: one self-contained document, no build step. Every string from the server
 * is inserted with textContent, never as HTML, so user text cannot inject markup.
 */
export const WEB_CHAT_PAGE = `<!doctype html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sportello</title>
<style>
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: #1d2430; background: #f3f5f8; height: 100vh; display: flex; }
  aside { width: 260px; background: #1f3a5f; color: #fff; padding: 16px; overflow-y: auto; }
  aside h1 { font-size: 20px; margin: 0 0 12px; }
  aside label { font-size: 12px; opacity: .8; display: block; margin: 12px 0 4px; }
  aside select { width: 100%; padding: 6px; border-radius: 6px; border: 0; }
  aside nav button { display: block; width: 100%; text-align: left; margin: 4px 0; padding: 8px 10px; border: 0; border-radius: 6px; background: transparent; color: #fff; cursor: pointer; font-size: 15px; }
  aside nav button.active, aside nav button:hover { background: #2f5a8f; }
  aside .who { font-size: 13px; opacity: .85; margin-top: 8px; }
  main { flex: 1; display: flex; flex-direction: column; min-width: 0; }
  header { padding: 12px 20px; background: #fff; border-bottom: 1px solid #dde3ea; font-weight: 600; }
  #log { flex: 1; overflow-y: auto; padding: 16px 20px; }
  .msg { max-width: 720px; background: #fff; border: 1px solid #dde3ea; border-radius: 10px; padding: 10px 14px; margin: 8px 0; }
  .msg.mine { margin-left: auto; background: #dcebff; border-color: #b9d4f5; }
  .msg.ephemeral { border-style: dashed; }
  .msg.here { border-left: 4px solid #d97706; }
  .msg .author { font-size: 12px; color: #5b6675; margin-bottom: 2px; }
  .msg .title { font-weight: 700; }
  .msg img.chart { display: block; width: 100%; max-width: 800px; height: auto; margin-top: 8px; border: 1px solid #ddd; border-radius: 4px; }
  .msg .text { white-space: pre-wrap; overflow-wrap: anywhere; }
  .msg dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 8px 0 0; font-size: 14px; }
  .msg dt { color: #5b6675; } .msg dd { margin: 0; }
  .msg .buttons { margin-top: 8px; display: flex; flex-wrap: wrap; gap: 6px; }
  .msg .buttons button, .msg .reply { border: 1px solid #9fb3c8; background: #fff; border-radius: 6px; padding: 5px 10px; cursor: pointer; font-size: 14px; }
  .msg .buttons button.primary { background: #1f6feb; color: #fff; border-color: #1f6feb; }
  .msg .buttons button.danger { background: #c62828; color: #fff; border-color: #c62828; }
  .msg .reply { margin-top: 6px; font-size: 12px; }
  .thread { margin-left: 28px; border-left: 3px solid #dde3ea; padding-left: 10px; }
  form { display: flex; gap: 8px; padding: 12px 20px; background: #fff; border-top: 1px solid #dde3ea; }
  form input { flex: 1; padding: 10px; border: 1px solid #c5cfdb; border-radius: 8px; font-size: 15px; }
  form button { padding: 10px 18px; border: 0; border-radius: 8px; background: #1f6feb; color: #fff; font-size: 15px; cursor: pointer; }
  #replying { font-size: 12px; color: #5b6675; padding: 0 20px; background: #fff; }
</style>
</head>
<body>
<aside>
  <h1>Sportello</h1>
  <label for="who" data-i18n="pick"></label>
  <select id="who"></select>
  <div class="who" id="whoinfo"></div>
  <label data-i18n="conversations"></label>
  <nav id="convs"></nav>
</aside>
<main>
  <header id="convtitle"></header>
  <div id="log" aria-live="polite"></div>
  <div id="replying"></div>
  <form id="composer">
    <input id="text" autocomplete="off" maxlength="4000">
    <button type="submit" data-i18n="send"></button>
  </form>
</main>
<script>
(() => {
  const L = (navigator.language || 'it').startsWith('it') ? 'it' : 'en';
  const S = {
    it: { pick: 'Chi sei (identità demo)', conversations: 'Conversazioni', send: 'Invia', dm: 'Messaggi con Sportello', placeholder: 'Scrivi un messaggio…', reply: 'Rispondi nel thread', replying: 'Risposta nel thread · Esc per annullare', bot: 'Sportello', onlyyou: 'visibile solo a te', channel: '#', failed: 'Non inviato: il servizio non risponde. Premi di nuovo Invia tra poco.',
      roles: { requester: 'richiedente', ict_lead: 'referente ICT', volunteer: 'volontario/a', moderator: 'moderazione', vendor: 'fornitore', committee: 'comitato etico', observer: 'osservatore' } },
    en: { pick: 'Who you are (demo identity)', conversations: 'Conversations', send: 'Send', dm: 'Messages with Sportello', placeholder: 'Write a message…', reply: 'Reply in thread', replying: 'Replying in thread · Esc to cancel', bot: 'Sportello', onlyyou: 'only visible to you', channel: '#', failed: 'Not sent: the service is not answering. Press Send again shortly.',
      roles: { requester: 'requester', ict_lead: 'ICT lead', volunteer: 'volunteer', moderator: 'moderator', vendor: 'vendor', committee: 'ethics committee', observer: 'observer' } },
  }[L];
  document.querySelectorAll('[data-i18n]').forEach((e) => (e.textContent = S[e.dataset.i18n]));
  const $ = (id) => document.getElementById(id);
  const roleNames = (roles) => roles.map((r) => S.roles[r] || r).join(', ');
  $('text').placeholder = S.placeholder;
  let me = null, current = null, threadOf = null, events = null;
  const nodes = new Map();
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };

  async function api(path, body) {
    const r = await fetch(path, body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {});
    if (!r.ok) throw new Error(path + ' ' + r.status);
    return r.json();
  }

  function render(m) {
    const box = el('div', 'msg' + (m.author === me.handle ? ' mine' : '') + (m.ephemeralTo ? ' ephemeral' : '') + (m.message.mention === 'here' ? ' here' : ''));
    box.dataset.id = m.id;
    box.append(el('div', 'author', (m.author === 'bot' ? S.bot : m.author) + (m.ephemeralTo ? ' · ' + S.onlyyou : '')));
    if (m.message.title) box.append(el('div', 'title', m.message.title));
    if (m.message.text) box.append(el('div', 'text', m.message.text));
    if (m.message.fields && m.message.fields.length) {
      const dl = el('dl');
      for (const f of m.message.fields) { dl.append(el('dt', '', f.label), el('dd', '', f.value)); }
      box.append(dl);
    }
    if (m.imageSrc && m.message.image) {
      const img = el('img', 'chart');
      img.src = m.imageSrc;
      img.alt = m.message.image.alt;
      box.append(img);
    }
    if (m.message.buttons && m.message.buttons.length) {
      const bar = el('div', 'buttons');
      for (const b of m.message.buttons) {
        const btn = el('button', b.style || '', b.label);
        btn.type = 'button';
        btn.dataset.action = b.actionId;
        btn.onclick = () => api('/web/action', { as: me.handle, conversation: current, actionId: b.actionId, value: b.value, clientId: crypto.randomUUID(), threadOf: m.threadOf || undefined });
        bar.append(btn);
      }
      box.append(bar);
    }
    if (m.message.select && m.message.select.options.length) {
      // A menu of choices (the intake's "Correggi…"): choosing one is a button press with its value.
      const sel = el('select', 'choice');
      const none = el('option', '', m.message.select.placeholder);
      none.value = '';
      sel.append(none);
      for (const o of m.message.select.options) { const opt = el('option', '', o.label); opt.value = o.value; sel.append(opt); }
      sel.dataset.action = m.message.select.actionId;
      sel.onchange = () => { if (sel.value) api('/web/action', { as: me.handle, conversation: current, actionId: m.message.select.actionId, value: sel.value, clientId: crypto.randomUUID(), threadOf: m.threadOf || undefined }); };
      box.append(sel);
    }
    if (!current.startsWith('dm:') && !m.threadOf) {
      const r = el('button', 'reply', S.reply);
      r.type = 'button';
      r.onclick = () => { threadOf = m.id; $('replying').textContent = S.replying; $('text').focus(); };
      box.append(r);
    }
    return box;
  }

  function place(m) {
    if (m.conversation !== current) return;
    const fresh = render(m);
    const old = nodes.get(m.id);
    if (old) { old.replaceWith(fresh); }
    else if (m.threadOf && nodes.has(m.threadOf)) {
      const parent = nodes.get(m.threadOf);
      let thread = parent.nextElementSibling;
      if (!thread || !thread.classList.contains('thread')) { thread = el('div', 'thread'); parent.after(thread); }
      thread.append(fresh);
    } else { $('log').append(fresh); }
    nodes.set(m.id, fresh);
    $('log').scrollTop = $('log').scrollHeight;
  }

  async function open(conv, title) {
    current = conv; threadOf = null; $('replying').textContent = '';
    nodes.clear(); $('log').textContent = '';
    $('convtitle').textContent = title;
    document.querySelectorAll('#convs button').forEach((b) => b.classList.toggle('active', b.dataset.conv === conv));
    await refresh(conv);
  }

  async function refresh(conv) {
    for (const m of await api('/web/history?as=' + encodeURIComponent(me.handle) + '&conversation=' + encodeURIComponent(conv))) place(m);
  }

  let choosing = 0; // a later choice wins over one still loading
  async function choose(handle, users) {
    const mine = ++choosing;
    $('whoinfo').textContent = '';
    const convs = await api('/web/conversations?as=' + encodeURIComponent(handle));
    if (mine !== choosing) return;
    me = users.find((u) => u.handle === handle);
    localStorage.setItem('sportello.as', handle);
    const nav = $('convs'); nav.textContent = '';
    const add = (conv, title) => { const b = el('button', '', title); b.type = 'button'; b.dataset.conv = conv; b.onclick = () => open(conv, title); nav.append(b); };
    add(convs.dm, S.dm);
    for (const c of convs.channels) add(c.id, S.channel + c.id);
    if (events) events.close();
    events = new EventSource('/web/events?as=' + encodeURIComponent(handle));
    events.onmessage = (e) => place(JSON.parse(e.data));
    // What arrived between the history and the stream's opening is in the history read again.
    events.onopen = () => { if (current) refresh(current); };
    await open(convs.dm, S.dm);
    if (mine !== choosing) return;
    // Shown last: once it names the person, their conversation is open and ready to write in.
    $('whoinfo').textContent = me.displayName + (me.organisation ? ' · ' + me.organisation : '') + (me.roles.length ? ' · ' + roleNames(me.roles) : '');
  }

  let unsent = null; // { text, clientId } of a send that failed: resent with the same id
  $('composer').onsubmit = async (e) => {
    e.preventDefault();
    const text = $('text').value.trim();
    if (!text) return;
    $('text').value = '';
    const clientId = unsent && unsent.text === text ? unsent.clientId : crypto.randomUUID();
    const body = { as: me.handle, conversation: current, text, clientId };
    if (threadOf) body.threadOf = threadOf;
    threadOf = null; $('replying').textContent = '';
    try {
      await api('/web/send', body);
      unsent = null;
    } catch {
      unsent = { text, clientId };
      $('text').value = text;
      $('replying').textContent = S.failed;
    }
  };
  $('text').onkeydown = (e) => { if (e.key === 'Escape') { threadOf = null; $('replying').textContent = ''; } };

  (async () => {
    const users = await api('/web/users');
    const sel = $('who');
    for (const u of users) { const o = el('option', '', u.displayName + ' (' + (roleNames(u.roles) || '—') + ')'); o.value = u.handle; sel.append(o); }
    const saved = localStorage.getItem('sportello.as');
    if (saved && users.some((u) => u.handle === saved)) sel.value = saved;
    sel.onchange = () => choose(sel.value, users);
    if (users.length) await choose(sel.value, users);
  })();
})();
</script>
</body>
</html>`;
