/* papertide: small enhancements over pages that work without JavaScript.
   LaTeX in titles and abstracts (elements with class "tex") through KaTeX's auto-render, each
   formula of a comment (span.math) alone,
   and the "Copy BibTeX" button. No inline scripts, so the CSP stays script-src 'self'. */
(function () {
  "use strict";
  var DELIMITERS = [
    { left: "$$", right: "$$", display: true },
    { left: "\\[", right: "\\]", display: true },
    { left: "$", right: "$", display: false },
    { left: "\\(", right: "\\)", display: false }
  ];

  var MAX_SIZE = 10;  // em: a \rule or \kern never covers the page
  var MAX_EXPAND = 200;  // macro expansions: a \def loop stops with an error
  var SLICE_MS = 8;  // render this long, then let the page answer input: under the 50 ms of a
  // long task on a phone four times slower

  /* render(element) for each element, in slices of SLICE_MS with a yield to the browser in
     between: thirty abstracts with formulas no longer block taps and scrolls while they render. */
  function inSlices(elements, render) {
    var next = 0;
    function slice() {
      var until = Date.now() + SLICE_MS;
      while (next < elements.length && Date.now() < until) {
        render(elements[next]);
        next += 1;
      }
      if (next < elements.length) { setTimeout(slice, 0); }
    }
    slice();
  }

  /* A comment's formulas: each <span class="math">$...$</span> (made by the server) on its
     own, so a broken or hostile one shows its error in place and the others still render. */
  function renderFormulas(root) {
    if (!window.katex || !root.querySelectorAll) { return; }
    inSlices(Array.prototype.slice.call(root.querySelectorAll("span.math")), function (element) {
      var text = element.textContent;
      var display = text.length >= 4 && text.slice(0, 2) === "$$" && text.slice(-2) === "$$";
      var source = display ? text.slice(2, -2) : text.slice(1, -1);
      try {
        window.katex.render(source, element, {
          displayMode: display,
          throwOnError: true,  // caught below: KaTeX's own error span sets a style attribute
          trust: false,  // \href, \url, \includegraphics, \htmlClass: shown inert
          maxSize: MAX_SIZE,
          maxExpand: MAX_EXPAND
        });
      } catch (error) {  // the source stays as typed, marked in red, with the reason
        var shown = document.createElement("span");
        shown.className = "katex-error";
        shown.textContent = text;
        shown.title = String(error && error.message);
        element.textContent = "";
        element.appendChild(shown);
      }
    });
  }

  function renderMath(root) {
    if (typeof window.renderMathInElement !== "function" || !root.querySelectorAll) {
      return;
    }
    var targets = root.classList && root.classList.contains("tex") ? [root] : [];
    root.querySelectorAll(".tex").forEach(function (element) { targets.push(element); });
    inSlices(targets, function (element) {
      window.renderMathInElement(element, {
        delimiters: DELIMITERS,
        throwOnError: false,
        trust: false,
        maxSize: MAX_SIZE,
        maxExpand: MAX_EXPAND,
        ignoredTags: ["script", "noscript", "style", "textarea", "pre", "code", "option"]
      });
    });
  }

  function setUpCopy(root) {
    root.querySelectorAll("[data-copy]").forEach(function (button) {
      if (!navigator.clipboard) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-copy"));
        var status = button.parentElement.querySelector(".copy-status");
        navigator.clipboard.writeText(source ? source.textContent : "").then(function () {
          if (status) { status.textContent = "Copied."; }
        }, function () {
          if (status) { status.textContent = "Could not copy; select the text instead."; }
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    renderFormulas(document);
    renderMath(document);
    setUpCopy(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    renderFormulas(event.detail.elt);
    renderMath(event.detail.elt);
  });
})();
