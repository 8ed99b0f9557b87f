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
  const state = { session: null, busy: false, generation: 0, selected: new Map(), cardCount: 0 };

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
      const list = el("ol", "cards");
      for (const card of cards) {
        const item = el("li");
        const article = renderCard(card);
        if (!first) first = article.querySelector("h3");
        item.append(article);
        list.append(item);
      }
      box.append(list);
    }
    if (data.more) {
      const more = el("button", "more", S.more);
      more.type = "button";
      more.addEventListener("click", () => send({ more: true }, null));
      box.append(more);
    }
    pending.replaceWith(box);
    return { box, first };
  }

  /* ---------- a place's card ---------- */

  function renderCard(card) {
    const n = ++state.cardCount;
    const article = el("article", "card");
    article.dataset.id = card.id;
    const title = el("h3", "name", card.name);
    title.id = "card-" + n;
    title.tabIndex = -1;
    article.setAttribute("aria-labelledby", title.id);
    article.append(title);
    if (card.distance_text) article.append(el("p", "distance", card.distance_text));
    if (card.address) article.append(el("p", "address", card.address));

    const contact = el("ul", "contact");
    const digits = String(card.phone || "").replace(/[^0-9+]/g, "");
    if (card.phone) {
      const item = el("li");
      item.append(hidden(S.phone + " : "));
      item.append(digits ? link("tel:" + digits, card.phone) : el("span", null, card.phone));
      contact.append(item);
    }
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
    if (contact.childElementCount) article.append(contact);

    if (Array.isArray(card.week) && card.week.length) article.append(hoursTable(card, n));
    if (Array.isArray(card.services) && card.services.length) {
      article.append(el("h4", null, S.services));
      const list = el("ul", "services");
      for (const service of card.services) list.append(el("li", null, service));
      article.append(list);
    }
    if (Array.isArray(card.publics) && card.publics.length) {
      const p = el("p", "publics");
      p.append(el("strong", null, S.publics + " : "), document.createTextNode(card.publics.join(", ")));
      article.append(p);
    }
    if (Array.isArray(card.why) && card.why.length) {
      article.append(el("p", "why", S.why + " : " + card.why.join(", ")));
    }
    if (card.provenance) article.append(el("p", "provenance", card.provenance));

    const actions = el("div", "actions");
    const map = webUrl(card.map_url);
    if (map) actions.append(link(map, S.map, true, card.name));
    const route = webUrl(card.directions_url);
    if (route) actions.append(link(route, S.directions, true, card.name));
    const copyButton = el("button", "copy", S.copy);
    copyButton.type = "button";
    copyButton.append(hidden(" : " + card.name));
    copyButton.addEventListener("click", () => copyCard(card, article));
    actions.append(copyButton);
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
    actions.append(choose);
    article.append(actions);
    return article;
  }

  function hoursTable(card, n) {
    const table = el("table", "hours");
    const caption = el("caption", null, S.hours);
    table.append(caption);
    const body = el("tbody");
    const todayName = Array.isArray(S.days) ? S.days[card.today_index] : null;
    for (const entry of card.week) {
      const row = el("tr");
      const day = el("th", null, entry.day);
      day.scope = "row";
      const hours = el("td", null, entry.hours);
      if (entry.day === todayName) {
        row.className = "today";
        day.append(el("span", "today-mark", " (" + S.today + ")"));
      }
      row.append(day, hours);
      body.append(row);
    }
    table.append(body);
    table.id = "hours-" + n;
    return table;
  }

  function syncCheckboxes(id, checked) {
    for (const article of conversation.querySelectorAll("article.card")) {
      if (article.dataset.id === id) article.querySelector("input.to-print").checked = checked;
    }
  }

  /* ---------- copy ---------- */

  async function copyCard(card, article) {
    const text = String(card.text || "");
    try {
      if (!navigator.clipboard || !window.isSecureContext) throw new Error("no clipboard");
      await navigator.clipboard.writeText(text);
      announce(S.copied);
      return;
    } catch (e) {
      // Plain HTTP on a local network has no clipboard API: select a text area instead.
    }
    let area = article.querySelector("textarea.copy-text");
    if (!area) {
      area = el("textarea", "copy-text");
      area.readOnly = true;
      area.rows = 6;
      area.setAttribute("aria-label", S.copy + " : " + card.name);
      article.append(area);
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
      article.querySelector("button.copy").focus();
      announce(S.copied);
    } else {
      announce(S.copyFailed);
    }
  }

  /* ---------- print ---------- */

  function updatePrintCount() {
    const n = state.selected.size;
    $("print-count").textContent = n ? S.printCount.replace("{n}", n) : "";
    document.body.classList.toggle("has-selection", n > 0);
    renderSheet();
  }

  function renderSheet() {
    const sheet = $("sheet");
    sheet.replaceChildren();
    if (!state.selected.size) return;
    sheet.append(el("h1", null, S.sheetTitle));
    const date = new Date().toLocaleDateString("fr-FR", { day: "numeric", month: "long", year: "numeric" });
    sheet.append(el("p", "intro", S.sheetIntro.replace("{date}", date)));
    for (const card of state.selected.values()) {
      const place = el("section", "sheet-place");
      place.append(el("h2", null, card.name));
      if (card.address) place.append(el("p", null, card.address));
      if (card.phone) place.append(el("p", null, S.phone + " : " + card.phone));
      if (card.email) place.append(el("p", null, S.email + " : " + card.email));
      if (card.website) place.append(el("p", null, S.website + " : " + card.website));
      if (Array.isArray(card.week) && card.week.length) {
        place.append(el("h3", null, S.hours));
        const list = el("ul", "sheet-hours");
        for (const entry of card.week) list.append(el("li", null, entry.day + " : " + entry.hours));
        place.append(list);
      }
      if (Array.isArray(card.services) && card.services.length) {
        place.append(el("p", null, S.services + " : " + card.services.join(", ")));
      }
      if (card.map_url) place.append(el("p", "sheet-map", S.map + " : " + card.map_url));
      sheet.append(place);
    }
  }

  function printSheet() {
    if (!state.selected.size) {
      $("print-count").textContent = S.printNothing;
      announce(S.printNothing);
      return;
    }
    window.print();
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

  function ask(text) {
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
    send({ message }, message);
  }

  function aroundMe() {
    const text = question.value.trim();
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
          text ? S.myPosition + " · " + text : S.myPosition);
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
  $("around-me").addEventListener("click", aroundMe);
  $("print").addEventListener("click", printSheet);
  $("reset").addEventListener("click", reset);
  document.documentElement.classList.add("js");
  // The desk's first act is typing a question.
  question.focus();
})();
