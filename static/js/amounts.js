/*
 * Amounts as people type them, for scripts that send them to the strict JSON API.
 *
 * Portal.amountText(raw) is core/amounts.py's parse_amount read back as a plain decimal string:
 * "18,000,000", "1800万", "１８００００００", "1,800.5万", "0.5亿", "¥…元" and spaces anywhere all
 * become "18000000"-style text; text that is no amount is returned unchanged, so the API names the
 * problem on that input. tests/browser/test_19_amounts.py runs the same cases through both and
 * fails if they disagree.
 */
(function (root) {
  "use strict";

  var UNIT_DIGITS = { "万": 4, "亿": 8 };
  var NUMBER_RE = /^(-?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/;
  var SPACES = /[\s\u00a0\u3000]+/g;
  var MAX_LENGTH = 40;

  function amountText(raw) {
    if (typeof raw !== "string") {
      return raw;
    }
    var s = (raw.normalize ? raw.normalize("NFKC") : raw).replace(SPACES, "");
    if (!s || s.length > MAX_LENGTH) {
      return raw;
    }
    if (s.charAt(0) === "¥") {
      s = s.slice(1);
    }
    if (s.slice(-1) === "元") {
      s = s.slice(0, -1);
    }
    var shift = 0;
    if (s && Object.prototype.hasOwnProperty.call(UNIT_DIGITS, s.slice(-1))) {
      shift = UNIT_DIGITS[s.slice(-1)];
      s = s.slice(0, -1);
    }
    var m = NUMBER_RE.exec(s);
    if (!m) {
      return raw;
    }
    // Move the decimal point `shift` places right on the digits themselves: no floating point.
    var whole = m[2].replace(/,/g, "");
    var fraction = m[3] || "";
    var digits = whole + fraction;
    var point = whole.length + shift;
    while (digits.length < point) {
      digits += "0";
    }
    var intPart = digits.slice(0, point).replace(/^0+(?=\d)/, "");
    var fracPart = digits.slice(point);
    if (shift) {
      fracPart = fracPart.replace(/0+$/, ""); // 1800.5万 → 18005000, as parse_amount normalises
    }
    var text = intPart + (fracPart ? "." + fracPart : "");
    if (m[1] && /[1-9]/.test(text)) {
      text = "-" + text; // no "-0"
    }
    return text;
  }

  root.Portal = root.Portal || {};
  root.Portal.amountText = amountText;
})(window);
