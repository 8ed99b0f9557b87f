/* Orienteur web chat: plain JavaScript, no build step, no dependency.
 *
 * Safety rule: every string from the server (places, replies) or from the user reaches the page
 * through textContent / createTextNode, never parsed as markup; links are made only from http(s), tel:
 * and mailto: values checked here. All wording comes from the JSON block #strings.
 */
"use strict";

(function () {
  const S = JSON.parse(document.getElementById("strings").textContent);
  const $ = (id) => document.getElementById(id);
  const state = { session: null, busy: false, generation: 0, selected: new Map(), cardCount: 0, builtAt: null };

  const conversation = $("conversation");
  const question = $("question");
  const announcer = $("announce");
  const formError = $("form-error");

  /* ---------- small DOM helpers: text only ---------- */

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function hidden(text) {
    return el("span", "visually-hidden", text);
  }

  function webUrl(value) {
    try {
      const url = new URL(String(value));
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function link(href, text, external, context) {
    const a = el("a", null, text);
    a.href = href;
    if (context) a.append(hidden(" : " + context));
    if (external) {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.append(hidden(" " + S.newTab));
    }
    return a;
  }

  function announce(text) {
    // Clear first so that the same sentence twice is announced twice.
    announcer.textContent = "";
    window.setTimeout(() => { announcer.textContent = text; }, 50);
  }

  /* ---------- the static texts ---------- */

  function fillStaticTexts() {
    document.title = S.title;
    $("skip").textContent = S.skip;
    $("print-hint").textContent = S.printHint;
    $("heading").textContent = S.heading;
    $("tagline").textContent = S.tagline;
    $("around-me").textContent = S.aroundMe;
    $("print").textContent = S.print;
    $("selection").setAttribute("aria-label", S.selectionRegion);
    $("note-label").textContent = S.note;
    $("print-sheet").textContent = S.printSheet;
    $("copy-all").textContent = S.copyAll;
    $("reset").textContent = S.newConversation;
    $("welcome-text").textContent = S.welcome;
    $("examples-heading").textContent = S.examplesHeading;
    $("question-label").textContent = S.questionLabel;
    question.placeholder = S.questionPlaceholder;
    question.maxLength = S.maxMessage;
    $("send").textContent = S.send;
    const list = $("examples");
    for (const example of S.examples) {
      const item = el("li");
      const button = el("button", "example", example);
      button.type = "button";
      button.addEventListener("click", () => ask(example));
      item.append(button);
      list.append(item);
    }
    updatePrintCount();
  }

  /* ---------- messages ---------- */

  function addMessage(kind, who, text) {
    const box = el("div", "message " + kind);
    box.append(hidden(who + " : "));
    box.append(el("p", "text", text));
    conversation.append(box);
    return box;
  }

  function removeMoreButtons() {
    for (const button of conversation.querySelectorAll("button.more")) button.remove();
  }

  function renderReply(data, pending) {
    const box = el("div", "message assistant");
    box.append(hidden(S.assistant + " : "));
    box.append(el("p", "text", data.reply));
    const cards = Array.isArray(data.cards) ? data.cards : [];
    let first = null;
    if (cards.length) {
      // The places meeting the request, then (under their own label) those shown to fill the page.
      const groups = [cards.filter((c) => c.matches !== false), cards.filter((c) => c.matches === false)];
      groups.forEach((group, padded) => {
        if (!group.length) return;
        if (padded && data.padded_label) box.append(el("h3", "padded-label", data.padded_label));
        const list = el("ol", "cards" + (padded ? " padded" : ""));
        for (const card of group) {
          const item = el("li");
          const article = renderCard(card);
          if (!first) first = article.querySelector("h3");
          item.append(article);
          list.append(item);
        }
        box.append(list);
      });
      // Ctrl+P without a chosen place prints this answer only.
      for (const old of conversation.querySelectorAll(".message.current")) old.classList.remove("current");
      box.classList.add("current");
    }
    if (data.more) {
      const more = el("button", "more", S.more);
      more.type = "button";
      more.addEventListener("click", () => send({ more: true }, null));
      box.append(more);
    }
    const refinements = Array.isArray(data.refinements) && cards.length ? data.refinements : [];
    if (refinements.length) {
      const chips = el("div", "chips");
      chips.setAttribute("role", "group");
      chips.setAttribute("aria-label", S.refine);
      for (const refinement of refinements) {
        const chip = el("button", "chip", refinement.label);
        chip.type = "button";
        chip.addEventListener("click", () => {
          if (refinement.near_me) aroundMe(String(refinement.message), refinement.label);
          else ask(String(refinement.message), refinement.label);
        });
        chips.append(chip);
      }
      box.append(chips);
    }
    pending.replaceWith(box);
    return { box, first };
  }

  /* ---------- a place's card: what to act on first, the rest folded ---------- */

  function renderCard(card) {
    const n = ++state.cardCount;
    const article = el("article", "card" + (card.matches === false ? " padded" : ""));
    article.dataset.id = card.id;
    const title = el("h3", "name", card.name);
    title.id = "card-" + n;
    title.tabIndex = -1;
    article.setAttribute("aria-labelledby", title.id);
    article.append(title);

    const status = el("p", "status status-" + (card.open_state || "unknown"));
    status.append(el("span", "badge", card.open_now));
    if (card.today && card.open_state !== "unknown") {
      status.append(document.createTextNode(" · " + S.today + " " + card.today));
    }
    article.append(status);
    const where = [card.distance_text, card.address].filter(Boolean).join(" · ");
    if (where) article.append(el("p", "where", where));

    const actions = el("div", "actions");
    const digits = String(card.phone || "").replace(/[^0-9+]/g, "");
    if (digits) {
      const call = link("tel:" + digits, S.call + " " + card.phone);
      call.className = "action call";
      actions.append(call);
    }
    const route = webUrl(card.directions_url);
    if (route) actions.append(actionLink(route, S.directions, card.name));
    const map = webUrl(card.map_url);
    if (map) actions.append(actionLink(map, S.mapShort, card.name));
    article.append(actions);

    if (Array.isArray(card.restrictions) && card.restrictions.length) {
      article.append(el("p", "restrictions", card.restrictions.join(" · ")));
    }

    const details = el("details", "more-info");
    details.append(el("summary", null, S.moreInfo));
    if (Array.isArray(card.week) && card.week.length) details.append(hoursTable(card));
    if (card.hours_note) details.append(el("p", "hours-note", card.hours_note));
    if (Array.isArray(card.services) && card.services.length) {
      details.append(el("h4", null, S.services));
      const list = el("ul", "services");
      for (const service of card.services) list.append(el("li", null, service));
      details.append(list);
    }
    if (Array.isArray(card.publics) && card.publics.length) {
      const p = el("p", "publics");
      p.append(el("strong", null, S.publics + " : "), document.createTextNode(card.publics.join(", ")));
      details.append(p);
    }
    const contact = el("ul", "contact");
    if (card.email) {
      const item = el("li");
      item.append(hidden(S.email + " : "));
      const valid = /^[^\s@<>"']+@[^\s@<>"']+\.[^\s@<>"']+$/.test(card.email);
      item.append(valid ? link("mailto:" + card.email, card.email) : el("span", null, card.email));
      contact.append(item);
    }
    const site = webUrl(card.website);
    if (card.website) {
      const item = el("li");
      item.append(hidden(S.website + " : "));
      item.append(site ? link(site, card.website.replace(/^https?:\/\//, ""), true) : el("span", null, card.website));
      contact.append(item);
    }
    if (contact.childElementCount) details.append(contact);
    if (Array.isArray(card.why) && card.why.length) details.append(el("p", "why", S.why + " : " + card.why.join(", ")));
    for (const line of [card.freshness, card.provenance]) if (line) details.append(el("p", "provenance", line));
    article.append(details);

    const tools = el("div", "card-tools");
    const copyButton = el("button", "copy", S.smsCopy);
    copyButton.type = "button";
    copyButton.append(hidden(" : " + card.name));
    copyButton.addEventListener("click", () => copyText(card.sms || card.text, article, copyButton, S.smsCopied));
    tools.append(copyButton);
    const choose = el("label", "choose");
    const box = el("input");
    box.type = "checkbox";
    box.className = "to-print";
    box.checked = state.selected.has(card.id);
    box.addEventListener("change", () => {
      if (box.checked) state.selected.set(card.id, card);
      else state.selected.delete(card.id);
      syncCheckboxes(card.id, box.checked);
      updatePrintCount();
    });
    choose.append(box, document.createTextNode(" " + S.toPrint), hidden(" : " + card.name));
    tools.append(choose);
    article.append(tools);
    return article;
  }

  function actionLink(href, text, name) {
    const a = link(href, text, true, name);
    a.className = "action";
    return a;
  }

  function hoursTable(card) {
    const table = el("table", "hours");
    table.append(el("caption", null, S.hours));
    const body = el("tbody");
    for (const entry of card.week) {
      const row = el("tr");
      const day = el("th", null, entry.day);
      day.scope = "row";
      row.append(day, el("td", null, entry.hours));
      body.append(row);
    }
    table.append(body);
    return table;
  }

  function syncCheckboxes(id, checked) {
    for (const article of conversation.querySelectorAll("article.card")) {
      if (article.dataset.id === id) article.querySelector("input.to-print").checked = checked;
    }
  }

  /* ---------- copy ---------- */

  async function copyText(text, where, returnTo, done) {
    text = String(text || "");
    try {
      if (!navigator.clipboard || !window.isSecureContext) throw new Error("no clipboard");
      await navigator.clipboard.writeText(text);
      announce(done);
      return;
    } catch (e) {
      // Plain HTTP on a local network has no clipboard API: select a text area instead.
    }
    let area = where.querySelector("textarea.copy-text");
    if (!area) {
      area = el("textarea", "copy-text");
      area.readOnly = true;
      area.rows = 6;
      area.setAttribute("aria-label", S.copy);
      where.append(area);
    }
    area.value = text;
    area.focus();
    area.select();
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (e) {
      copied = false;
    }
    if (copied) {
      area.remove();
      returnTo.focus();
      announce(done);
    } else {
      announce(S.copyFailed);
    }
  }

  /* ---------- the referral sheet ---------- */

  function updatePrintCount() {
    const n = state.selected.size;
    const count = n === 1 ? S.selectedOne : S.selectedMany.replace("{n}", n);
    $("print-count").textContent = "";
    $("selection-count").textContent = n ? count : "";
    $("selection").hidden = n === 0;
    document.body.classList.toggle("has-selection", n > 0);
    renderSheet();
  }

  function frenchDate(value) {
    const date = value ? new Date(value) : new Date();
    return (isNaN(date) ? new Date() : date).toLocaleDateString("fr-FR", { day: "numeric", month: "long", year: "numeric" });
  }

  function renderSheet() {
    const sheet = $("sheet");
    sheet.replaceChildren();
    if (!state.selected.size) return;
    sheet.append(el("h1", null, S.sheetTitle));
    const intro = S.sheetIntro.replace("{date}", frenchDate());
    sheet.append(el("p", "intro", intro));
    if (S.deskName) sheet.append(el("p", "desk", S.sheetGivenBy.replace("{desk}", S.deskName)));
    const note = $("note").value.trim();
    if (note) {
      const p = el("p", "sheet-note");
      p.append(el("strong", null, S.sheetNote + " : "), document.createTextNode(note));
      sheet.append(p);
    }
    for (const card of state.selected.values()) {
      const place = el("section", "sheet-place");
      const text = el("div", "sheet-text");
      text.append(el("h2", null, card.name));
      if (card.address) text.append(el("p", null, card.address));
      if (card.phone) text.append(el("p", "sheet-phone", S.phone + " : " + card.phone));
      if (Array.isArray(card.week) && card.week.length) {
        text.append(el("p", "sheet-hours", S.hours + " : " + card.week.map((w) => w.day + " " + w.hours).join(" ; ")));
      }
      if (card.hours_note) text.append(el("p", null, card.hours_note));
      if (Array.isArray(card.restrictions) && card.restrictions.length) {
        text.append(el("p", "sheet-restrictions", card.restrictions.join(" · ")));
      }
      if (card.freshness) text.append(el("p", "sheet-freshness", card.freshness));
      place.append(text);
      const figure = el("figure", "sheet-qr");
      const qr = el("img", "qr");
      qr.src = "/api/places/" + encodeURIComponent(card.id) + "/qr.svg";
      qr.alt = S.qrHint + " (" + card.name + ")";
      qr.width = 96;
      qr.height = 96;
      figure.append(qr, el("figcaption", null, S.qrHint));
      place.append(figure);
      sheet.append(place);
    }
    sheet.append(el("p", "sheet-check", S.sheetCheck.replace("{date}", frenchDate(state.builtAt))));
  }

  function printSheet() {
    if (!state.selected.size) {
      $("print-count").textContent = S.printNothing;
      announce(S.printNothing);
      return;
    }
    renderSheet();
    window.print();
  }

  function copyAll() {
    const texts = Array.from(state.selected.values()).map((c) => c.sms || c.text).join("\n\n");
    copyText(texts, $("selection"), $("copy-all"), S.allCopied);
  }

  /* ---------- talking to the server ---------- */

  async function send(payload, shown) {
    if (state.busy) return;
    state.busy = true;
    const generation = state.generation;
    conversation.setAttribute("aria-busy", "true");
    formError.textContent = "";
    question.removeAttribute("aria-invalid");
    // Any new answer makes the earlier "Plus de résultats" buttons stale: they would page it.
    removeMoreButtons();
    if (shown) addMessage("user", S.you, shown);
    const pending = addMessage("assistant pending", S.assistant, S.waiting);
    pending.scrollIntoView({ block: "nearest" });
    let data = null;
    let failure = null;
    try {
      const body = Object.assign({}, payload);
      if (state.session) body.session = state.session;
      const response = await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify(body),
        credentials: "same-origin",
      });
      let json = null;
      try {
        json = await response.json();
      } catch (e) {
        json = null;
      }
      if (response.status === 429) failure = S.tooManyRequests;
      else if (!json) failure = S.error;
      else if (!response.ok && !(json && typeof json.reply === "string")) failure = (json && json.error) || S.error;
      else data = json;
    } catch (e) {
      failure = S.connectionLost;
    }
    state.busy = false;
    conversation.removeAttribute("aria-busy");
    if (generation !== state.generation) return; // "Nouvelle conversation" was pressed meanwhile
    if (!failure && !(data && typeof data.reply === "string")) failure = S.error;
    if (failure) {
      const box = addMessage("assistant error", S.assistant, failure);
      pending.replaceWith(box);
      announce(failure);
      return;
    }
    if (data.session) state.session = data.session;
    const { box, first } = renderReply(data, pending);
    const count = Array.isArray(data.cards) ? data.cards.length : 0;
    announce(data.reply + (count ? " " + data.cards.map((c) => c.name).join(" ; ") : ""));
    if (payload.more && first) {
      first.focus();
    } else {
      box.scrollIntoView({ block: "start", behavior: "auto" });
    }
  }

  function ask(text, shown) {
    const message = String(text || "").trim();
    if (!message) {
      formError.textContent = S.questionMissing;
      question.setAttribute("aria-invalid", "true");
      question.focus();
      return;
    }
    if (message.length > S.maxMessage) {
      formError.textContent = S.messageTooLong;
      question.setAttribute("aria-invalid", "true");
      question.focus();
      return;
    }
    if (state.busy) return; // keep the question in the box until the pending answer is in
    question.value = "";
    question.focus();
    send({ message }, shown || message);
  }

  function aroundMe(followUp, shown) {
    const text = typeof followUp === "string" ? followUp : question.value.trim();
    if (!("geolocation" in navigator) || !navigator.geolocation) {
      addMessage("assistant error", S.assistant, S.geolocationUnavailable);
      announce(S.geolocationUnavailable);
      return;
    }
    announce(S.locating);
    navigator.geolocation.getCurrentPosition(
      (position) => {
        if (state.busy) return;
        question.value = "";
        send({ message: text, lat: position.coords.latitude, lon: position.coords.longitude },
          shown || (text ? S.myPosition + " · " + text : S.myPosition));
      },
      (error) => {
        const message = error && error.code === 1 ? S.geolocationRefused : S.geolocationUnavailable;
        addMessage("assistant error", S.assistant, message).scrollIntoView({ block: "nearest" });
        announce(message);
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 },
    );
  }

  function reset() {
    state.generation += 1; // an answer still on its way belongs to the conversation before
    state.busy = false;
    conversation.removeAttribute("aria-busy");
    for (const node of Array.from(conversation.children)) {
      if (node.id !== "welcome") node.remove();
    }
    state.session = null;
    state.selected.clear();
    updatePrintCount();
    question.value = "";
    question.focus();
  }

  /* ---------- wiring ---------- */

  fillStaticTexts();
  $("ask").addEventListener("submit", (event) => {
    event.preventDefault();
    ask(question.value);
  });
  $("around-me").addEventListener("click", () => aroundMe());
  $("print").addEventListener("click", printSheet);
  $("print-sheet").addEventListener("click", printSheet);
  $("copy-all").addEventListener("click", copyAll);
  $("note").addEventListener("input", renderSheet);
  // The date of the data, for the sheet.
  fetch("/api/status", { headers: { "Accept": "application/json" } })
    .then((r) => (r.ok ? r.json() : null))
    .then((status) => {
      // The data's own date (the hub's file), else when this index was built.
      const day = status && ((status.data && status.data.date) || status.built_at);
      if (day) state.builtAt = day;
    })
    .catch(() => {});
  $("reset").addEventListener("click", reset);
  document.documentElement.classList.add("js");
  // The desk's first act is typing a question.
  question.focus();
})();
