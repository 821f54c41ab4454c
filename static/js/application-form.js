// Autosave for the application steps: every change is saved as a draft; if the server cannot be
// reached or the session has expired, what was typed is kept in this browser and restored on return.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form) { return; }
  var statusEl = form.querySelector("[data-role=autosave-status]");
  var key = "portal-draft:" + form.dataset.draftKey;
  var version = form.dataset.savedVersion || "";
  var unsaved = form.dataset.unsaved === "1";  // the page shows input the server refused
  var timer = null;
  var lang = document.documentElement.lang || "zh-hans";
  var T = lang === "en" ? {
    saving: "Saving…", saved: "Draft saved at ", invalid: "Not saved yet: please correct the marked fields.",
    offline: "Could not reach the server; your input is kept in this browser and will be saved when you continue.",
    restored: "Unsaved input from your last visit has been restored. Save to keep it."
  } : {
    saving: "正在保存…", saved: "草稿已保存 ", invalid: "尚未保存：请修改标出的错误。",
    offline: "暂时无法连接服务器，已在本浏览器中保留您的输入，继续操作时会再保存。",
    restored: "已恢复您上次未保存的输入，请保存。"
  };

  function say(text) { if (statusEl) { statusEl.textContent = text; } }

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "submit";
    });
  }

  function snapshot() {
    var data = {};
    fields().forEach(function (el) {
      if (el.type === "checkbox") {
        data[el.name] = data[el.name] || [];
        if (el.checked) { data[el.name].push(el.value); }
      } else {
        data[el.name] = el.value;
      }
    });
    return data;
  }

  // The draft in this browser belongs to one saved version of the step (data-saved-version, the
  // application's last save on the server's clock — never compared with this computer's clock). A draft
  // of an older version was saved since (by a button, the autosave, another tab) and is dropped; a
  // draft of this version comes back only where it differs from what the page shows.
  function store() {
    if (!window.localStorage) { return; }
    window.localStorage.setItem(key, JSON.stringify({ version: version, data: snapshot() }));
  }

  function forget() { if (window.localStorage) { window.localStorage.removeItem(key); } }

  function restore() {
    var raw = window.localStorage && window.localStorage.getItem(key);
    if (!raw) { return; }
    var draft;
    try { draft = JSON.parse(raw); } catch (e) { forget(); return; }
    if (!draft || !draft.data || draft.version !== version) { forget(); return; }
    var changed = false;
    fields().forEach(function (el) {
      if (!(el.name in draft.data)) { return; }
      if (el.type === "checkbox") {
        var on = draft.data[el.name].indexOf(el.value) !== -1;
        if (el.checked !== on) { el.checked = on; changed = true; }
      } else if (el.value !== draft.data[el.name]) {
        el.value = draft.data[el.name];
        changed = true;
      }
    });
    if (changed) { say(T.restored); }
    else if (!unsaved) { forget(); }  // the page already shows it; an error page's input stays kept
  }

  function clearErrors() {
    form.querySelectorAll(".field.has-error").forEach(function (f) {
      f.classList.remove("has-error");
      var list = f.querySelector(".field-errors");
      if (list) { list.remove(); }
    });
  }

  function showErrors(errors) {
    clearErrors();
    Object.keys(errors || {}).forEach(function (name) {
      var el = form.querySelector('[name="' + name.replace(/"/g, "") + '"]');
      if (!el) { return; }
      var wrap = el.closest(".field");
      if (!wrap) { return; }
      wrap.classList.add("has-error");
      var ul = document.createElement("ul");
      ul.className = "field-errors";
      errors[name].forEach(function (m) { var li = document.createElement("li"); li.textContent = m; ul.appendChild(li); });
      wrap.appendChild(ul);
    });
  }

  function renderEligibility(result) {
    var panel = document.getElementById("eligibility-panel");
    if (!panel || !result) { return; }
    var list = panel.querySelector("[data-role=conditions]");
    list.innerHTML = "";
    result.conditions.forEach(function (c) {
      var li = document.createElement("li");
      var state = c.passed === true ? "pass" : c.passed === false ? "fail" : "unknown";
      li.className = "cond cond-" + state;
      var mark = document.createElement("span");
      mark.className = "mark"; mark.setAttribute("aria-hidden", "true");
      mark.textContent = state === "pass" ? "✔" : state === "fail" ? "✘" : "—";
      var clause = document.createElement("span"); clause.className = "clause"; clause.textContent = c.clause;
      var msg = document.createElement("span"); msg.className = "msg"; msg.textContent = c.message;
      li.appendChild(mark); li.appendChild(document.createTextNode(" "));
      li.appendChild(clause); li.appendChild(document.createTextNode(" ")); li.appendChild(msg);
      list.appendChild(li);
    });
    var verdict = panel.querySelector("[data-role=verdict]");
    verdict.className = "verdict verdict-" + (result.eligible === true ? "yes" : result.eligible === false ? "no" : "unknown");
  }

  function save() {
    store();
    say(T.saving);
    fetch(form.dataset.autosaveUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-Autosave": "1", "X-CSRFToken": form.elements.csrfmiddlewaretoken.value }
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 403 || response.status >= 500) {
        throw new Error("unavailable");
      }
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (r) {
      if (r.body.saved) {
        if (r.body.version) { version = r.body.version; }
        unsaved = false;
        forget();
        clearErrors();
        renderEligibility(r.body.eligibility);
        say(T.saved + new Date().toLocaleTimeString());
      } else {
        showErrors(r.body.errors);
        say(r.body.detail || T.invalid);
      }
    }).catch(function () { say(T.offline); });
  }

  form.addEventListener("input", function () {
    store();
    clearTimeout(timer);
    timer = setTimeout(save, 800);
  });
  form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(save, 300); });
  form.addEventListener("submit", function () { clearTimeout(timer); store(); });
  restore();
})();
