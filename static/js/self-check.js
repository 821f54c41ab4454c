/*
 * The public self-check page (/self-check/): a live result beside the form.
 *
 * The page works without this script (the form POSTs to itself). With it, every change is sent,
 * debounced, to POST /api/v1/eligibility/check/ and the answer (or the errors, next to their inputs)
 * replaces the result panel. No inline code anywhere: everything the script needs comes from the
 * form's data-* attributes, so the page runs under a Content-Security-Policy without 'unsafe-inline'.
 *
 * The request body is built by the same rules as certification/self_check_views.payload_from_form:
 * a fiscal year with all six amounts blank and an IP row with every input blank are left out, the
 * kept rows are renumbered, blank optional inputs are omitted, whole numbers are sent as numbers and
 * amounts as plain decimal strings, read as people type them by amounts.js (as the form's own POST
 * reads them with core/amounts.py). Error keys of renumbered rows are mapped back to
 * the rows on screen.
 */
(function () {
  "use strict";

  var form = document.getElementById("sc-form");
  var body = document.getElementById("sc-result-body");
  if (!form || !body || !window.fetch || !window.JSON || !window.Portal) {
    return; // the plain form keeps working
  }

  var DEBOUNCE_MS = 300;
  var MAX_FISCAL_YEARS = 3;
  var MAX_IP_ROWS = 50;
  var STAFF_KEYS = ["total", "tech_college", "rd"];
  var MONEY_KEYS = ["sales_revenue", "total_revenue", "hightech_revenue", "rd_expense", "rd_expense_domestic", "total_assets"];
  var ROW_RE = /^(fiscal_years|ip)\[(\d{1,3})\]\.(\w+)$/;
  var KEY_RE = /^(fiscal_years|ip)\[(\d+)\](.*)$/;
  var INT_RE = /^-?\d{1,12}$/;

  var api = form.getAttribute("data-api");
  var labels = parseJson(form.getAttribute("data-labels"));
  var messages = parseJson(form.getAttribute("data-messages"));
  var showAll = form.getAttribute("data-submitted") === "1";
  var touched = {};
  var timer = null;
  var sequence = 0;
  var inflight = null;

  function parseJson(text) {
    try {
      return JSON.parse(text || "{}");
    } catch (e) {
      return {};
    }
  }

  function msg(key, n) {
    var text = messages[key] || key;
    return n === undefined ? text : text.replace("%(n)d", String(n));
  }

  // ----------------------------------------------------------------------------------------------
  // Form → request body
  // ----------------------------------------------------------------------------------------------

  function intOrText(raw) {
    return INT_RE.test(raw) ? parseInt(raw, 10) : raw;
  }

  function collect() {
    var raw = {};
    var i, el;
    for (i = 0; i < form.elements.length; i++) {
      el = form.elements[i];
      if (!el.name || el.disabled || el.name === "csrfmiddlewaretoken" || el.type === "submit" || el.type === "button") {
        continue;
      }
      raw[el.name] = el.type === "checkbox" ? el.checked : String(el.value || "").trim();
    }
    return raw;
  }

  function rowsOf(raw, section, limit) {
    var found = {};
    Object.keys(raw).forEach(function (name) {
      var m = ROW_RE.exec(name);
      if (!m || m[1] !== section) {
        return;
      }
      var index = parseInt(m[2], 10);
      if (index < limit) {
        (found[index] = found[index] || {})[m[3]] = raw[name];
      }
    });
    return Object.keys(found)
      .map(Number)
      .sort(function (a, b) { return a - b; })
      .map(function (index) { return { index: index, values: found[index] }; });
  }

  function build() {
    var raw = collect();
    var payload = { registered_in_tianjin: raw.registered_in_tianjin === true };
    var maps = { fiscal_years: [], ip: [] };
    ["rule_set", "as_of", "registered_on", "field_code", "composite_score"].forEach(function (key) {
      if (raw[key]) {
        payload[key] = raw[key];
      }
    });
    payload.staff = {};
    STAFF_KEYS.forEach(function (key) {
      var value = raw["staff." + key];
      if (value) {
        payload.staff[key] = intOrText(value);
      }
    });
    payload.fiscal_years = [];
    rowsOf(raw, "fiscal_years", MAX_FISCAL_YEARS).forEach(function (row) {
      var v = row.values;
      if (!MONEY_KEYS.some(function (key) { return v[key]; })) {
        return;
      }
      var item = {};
      if (v.year) {
        item.year = intOrText(v.year);
      }
      MONEY_KEYS.forEach(function (key) {
        if (v[key]) {
          item[key] = window.Portal.amountText(v[key]);
        }
      });
      maps.fiscal_years.push(row.index);
      payload.fiscal_years.push(item);
    });
    payload.ip = [];
    rowsOf(raw, "ip", MAX_IP_ROWS).forEach(function (row) {
      var v = row.values;
      if (!(v.kind || v.acquired_on || v.acquisition || v.licence_years)) {
        return;
      }
      var item = {};
      ["kind", "acquired_on", "acquisition"].forEach(function (key) {
        if (v[key]) {
          item[key] = v[key];
        }
      });
      if (v.licence_years) {
        item.licence_years = intOrText(v.licence_years);
      }
      maps.ip.push(row.index);
      payload.ip.push(item);
    });
    return { payload: payload, maps: maps };
  }

  // ----------------------------------------------------------------------------------------------
  // Errors beside their inputs
  // ----------------------------------------------------------------------------------------------

  function screenKey(key, maps) {
    var m = KEY_RE.exec(key);
    if (!m) {
      return key;
    }
    var onScreen = maps[m[1]][parseInt(m[2], 10)];
    return onScreen === undefined ? key : m[1] + "[" + onScreen + "]" + m[3];
  }

  function isTouched(key) {
    if (showAll || touched[key]) {
      return true;
    }
    // A whole list, a whole row or an input of a row: shown once any input of that list or row has
    // been used, so a started row says at once what else it needs.
    var scope = /^(fiscal_years|ip)(\[\d+\])?/.exec(key);
    if (scope) {
      return Object.keys(touched).some(function (name) { return name.indexOf(scope[0]) === 0; });
    }
    return false;
  }

  function clearErrors() {
    var lists = form.querySelectorAll("[data-errors-for]");
    var i;
    for (i = 0; i < lists.length; i++) {
      while (lists[i].firstChild) {
        lists[i].removeChild(lists[i].firstChild);
      }
    }
    document.getElementById("sc-other-errors").hidden = true;
    var marked = form.querySelectorAll(".has-error");
    for (i = 0; i < marked.length; i++) {
      marked[i].classList.remove("has-error");
    }
    var invalid = form.querySelectorAll("[aria-invalid]");
    for (i = 0; i < invalid.length; i++) {
      invalid[i].removeAttribute("aria-invalid");
    }
  }

  function showErrors(errors, maps) {
    clearErrors();
    var byKey = {};
    var lists = form.querySelectorAll("[data-errors-for]");
    var i;
    for (i = 0; i < lists.length; i++) {
      byKey[lists[i].getAttribute("data-errors-for")] = lists[i];
    }
    var other = document.getElementById("sc-other-errors");
    Object.keys(errors).forEach(function (apiKey) {
      var key = screenKey(apiKey, maps);
      var target = byKey[key];
      var texts = errors[apiKey];
      if (!target || key === "non_field_errors") {
        texts.forEach(function (text) {
          var p = document.createElement("p");
          p.textContent = text;
          other.appendChild(p);
        });
        other.hidden = false;
        return;
      }
      if (!isTouched(key)) {
        return;
      }
      texts.forEach(function (text) {
        var li = document.createElement("li");
        li.textContent = text;
        target.appendChild(li);
      });
      var wrapper = form.querySelector('[data-field="' + cssEscape(key) + '"]');
      if (wrapper) {
        wrapper.classList.add("has-error");
      }
      var input = form.elements.namedItem(key);
      if (input && input.setAttribute) {
        input.setAttribute("aria-invalid", "true");
      }
    });
  }

  function cssEscape(value) {
    return window.CSS && CSS.escape ? CSS.escape(value) : value.replace(/(["\\\[\].])/g, "\\$1");
  }

  // ----------------------------------------------------------------------------------------------
  // The result panel (the same markup as the server renders)
  // ----------------------------------------------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function replaceBody(nodes) {
    while (body.firstChild) {
      body.removeChild(body.firstChild);
    }
    nodes.forEach(function (node) { body.appendChild(node); });
  }

  function notice(text, state) {
    var p = el("p", "sc-verdict sc-" + state, text);
    replaceBody([p]);
  }

  function renderAnswer(answer) {
    var failed = 0;
    var undecided = 0;
    answer.conditions.forEach(function (c) {
      if (c.passed === false) {
        failed += 1;
      } else if (c.passed === null) {
        undecided += 1;
      }
    });
    var verdict;
    if (answer.eligible === true) {
      verdict = el("p", "sc-verdict sc-pass", msg("eligible"));
    } else if (answer.eligible === false) {
      verdict = el("p", "sc-verdict sc-fail", msg("ineligible", failed));
    } else {
      verdict = el("p", "sc-verdict sc-null", msg("undecided", undecided));
    }
    verdict.setAttribute("data-testid", "verdict");

    var ruleSet = el("p", "muted small", msg("rule_set"));
    ruleSet.appendChild(el("span", "mono", answer.rule_set));

    var table = el("table", "table sc-table");
    var thead = el("thead");
    var headRow = el("tr");
    (messages.heads || []).forEach(function (text) {
      var th = el("th", null, text);
      th.setAttribute("scope", "col");
      headRow.appendChild(th);
    });
    thead.appendChild(headRow);
    table.appendChild(thead);
    var tbody = el("tbody");
    answer.conditions.forEach(function (c) {
      var state = c.passed === true ? "pass" : c.passed === false ? "fail" : "null";
      var tr = el("tr", "sc-" + state);
      tr.setAttribute("data-code", c.code);
      tr.appendChild(el("td", "sc-clause", c.clause));
      var label = el("td", null, labels[c.code] || c.code);
      label.appendChild(el("div", "sc-msg", c.message));
      tr.appendChild(label);
      tr.appendChild(el("td", null, c.value || "—"));
      tr.appendChild(el("td", null, c.threshold));
      var mark = el("td", "sc-mark");
      var symbol = el("span", null, state === "pass" ? "✔" : state === "fail" ? "✘" : "—");
      symbol.setAttribute("aria-hidden", "true");
      mark.appendChild(symbol);
      mark.appendChild(el("span", "sr-only", msg(state === "pass" ? "passed" : state === "fail" ? "not_passed" : "unknown")));
      tr.appendChild(mark);
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    replaceBody([verdict, ruleSet, table, el("p", "help", msg("disclaimer"))]);
  }

  // ----------------------------------------------------------------------------------------------
  // Checking
  // ----------------------------------------------------------------------------------------------

  function check() {
    var built = build();
    var mine = ++sequence;
    if (inflight && inflight.abort) {
      inflight.abort();
    }
    inflight = window.AbortController ? new AbortController() : null;
    body.setAttribute("aria-busy", "true");
    fetch(api, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(built.payload),
      credentials: "omit",
      signal: inflight ? inflight.signal : undefined,
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () { return null; })
          .then(function (data) { return { status: response.status, data: data }; });
      })
      .then(function (result) {
        if (mine !== sequence) {
          return; // a newer check is on its way
        }
        body.removeAttribute("aria-busy");
        if (result.status === 200 && result.data) {
          clearErrors();
          renderAnswer(result.data);
        } else if (result.status === 400 && result.data) {
          showErrors(result.data, built.maps);
          var count = 0;
          Object.keys(result.data).forEach(function (key) { count += result.data[key].length; });
          notice(msg("invalid", count), "fail");
        } else if (result.status === 429) {
          notice(msg("throttled"), "null");
        } else {
          notice(msg("failed"), "null");
        }
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") {
          return;
        }
        if (mine === sequence) {
          body.removeAttribute("aria-busy");
          notice(msg("failed"), "null");
        }
      });
  }

  function schedule(event) {
    var target = event && event.target;
    if (target && target.name) {
      touched[target.name] = true;
    }
    if (timer) {
      clearTimeout(timer);
    }
    timer = setTimeout(check, DEBOUNCE_MS);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);

  // ----------------------------------------------------------------------------------------------
  // "增加一行": a new IP row in the page instead of a round trip
  // ----------------------------------------------------------------------------------------------

  var addButton = document.getElementById("sc-add-ip");
  var rows = document.getElementById("sc-ip-rows");
  var ATTRS = ["name", "id", "for", "aria-describedby", "data-errors-for", "data-field"];

  function renumber(node, from, to) {
    ATTRS.forEach(function (attr) {
      var value = node.getAttribute && node.getAttribute(attr);
      if (value) {
        node.setAttribute(
          attr,
          value.replace("ip[" + from + "]", "ip[" + to + "]").replace(new RegExp("^sc-ip-" + from + "-"), "sc-ip-" + to + "-")
        );
      }
    });
  }

  if (addButton && rows) {
    addButton.addEventListener("click", function (event) {
      var all = rows.querySelectorAll('tr[data-row="ip"]');
      if (!all.length) {
        return; // let the form submit and the server add the row
      }
      event.preventDefault();
      if (all.length >= MAX_IP_ROWS) {
        addButton.disabled = true;
        return;
      }
      var last = all[all.length - 1];
      var from = all.length - 1;
      var to = all.length;
      var row = last.cloneNode(true);
      renumber(row, from, to);
      var nodes = row.querySelectorAll("*");
      var i;
      for (i = 0; i < nodes.length; i++) {
        renumber(nodes[i], from, to);
        nodes[i].classList.remove("has-error");
        nodes[i].removeAttribute("aria-invalid");
        if (nodes[i].hasAttribute("data-errors-for")) {
          while (nodes[i].firstChild) {
            nodes[i].removeChild(nodes[i].firstChild);
          }
        }
        if (nodes[i].tagName === "INPUT") {
          nodes[i].value = "";
        } else if (nodes[i].tagName === "SELECT") {
          nodes[i].selectedIndex = 0;
        } else if (nodes[i].tagName === "LABEL") {
          nodes[i].textContent = nodes[i].textContent.replace(String(from + 1), String(to + 1));
        }
      }
      var number = row.querySelector(".sc-rownum");
      if (number && number.firstChild && number.firstChild.nodeType === 3) {
        number.firstChild.nodeValue = String(to + 1);
      }
      rows.appendChild(row);
      if (to + 1 >= MAX_IP_ROWS) {
        addButton.disabled = true;
      }
      var first = row.querySelector("select, input");
      if (first) {
        first.focus();
      }
    });
  }
})();
