// Suggests help articles while a customer writes a new ticket (GET /api/articles/suggest/?q=).
// "This solved it" posts to the article's /solved/ address: the question is answered without a ticket.
(function () {
  "use strict";
  const form = document.getElementById("ticket-form");
  const box = document.getElementById("suggestions");
  if (!form || !box || !document.getElementById("solved-form")) return;
  const subject = form.querySelector("[name=subject]");
  const body = form.querySelector("[name=body]");
  const solvedForm = document.getElementById("solved-form");
  let timer = null;
  let lastQuery = "";
  let controller = null;

  function query() {
    return ((subject ? subject.value : "") + "\n" + (body ? body.value : "")).trim().slice(0, 500);
  }

  function render(articles, text) {
    box.replaceChildren();
    if (!articles.length) {
      box.hidden = true;
      return;
    }
    const title = document.createElement("h2");
    title.textContent = box.dataset.title;
    const list = document.createElement("ul");
    list.className = "plain suggestion-list";
    for (const article of articles) {
      const item = document.createElement("li");
      item.className = "suggestion";
      const link = document.createElement("a");
      link.href = article.url + "?q=" + encodeURIComponent(text);
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = article.title;
      const hint = document.createElement("span");
      hint.className = "visually-hidden";
      hint.textContent = " (" + box.dataset.read + ")";
      link.appendChild(hint);
      // "This solved it" posts the separate #solved-form (forms cannot nest) to the article's address.
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button small success";
      button.textContent = box.dataset.solved;
      const label = document.createElement("span");
      label.className = "visually-hidden";
      label.textContent = ": " + article.title;
      button.appendChild(label);
      button.addEventListener("click", function () {
        solvedForm.action = new URL(article.url).pathname + "solved/";
        solvedForm.elements.q.value = text;
        solvedForm.submit();
      });
      item.append(link, " ", button);
      list.appendChild(item);
    }
    box.append(title, list);
    box.hidden = false;
  }

  async function suggest() {
    const text = query();
    if (text === lastQuery) return;
    lastQuery = text;
    if (text.length < 3) {
      render([], text);
      return;
    }
    if (controller) controller.abort();
    controller = new AbortController();
    try {
      const url = form.dataset.suggestUrl + "?q=" + encodeURIComponent(text);
      const response = await fetch(url, { signal: controller.signal, headers: { Accept: "application/json" } });
      if (!response.ok) return;
      render(await response.json(), text);
    } catch (error) {
      if (error.name !== "AbortError") throw error;
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(suggest, 250);
  }

  for (const field of [subject, body]) {
    if (field) field.addEventListener("input", schedule);
  }
  if (query()) schedule();
})();
