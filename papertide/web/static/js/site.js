/* papertide: small enhancements over pages that work without JavaScript.
   LaTeX in titles and abstracts (elements with class "tex") through KaTeX's auto-render,
   and the "Copy BibTeX" button. No inline scripts, so the CSP stays script-src 'self'. */
(function () {
  "use strict";
  var DELIMITERS = [
    { left: "$$", right: "$$", display: true },
    { left: "\\[", right: "\\]", display: true },
    { left: "$", right: "$", display: false },
    { left: "\\(", right: "\\)", display: false }
  ];

  function renderMath(root) {
    if (typeof window.renderMathInElement !== "function" || !root.querySelectorAll) {
      return;
    }
    var targets = root.classList && root.classList.contains("tex") ? [root] : [];
    root.querySelectorAll(".tex").forEach(function (element) { targets.push(element); });
    targets.forEach(function (element) {
      window.renderMathInElement(element, {
        delimiters: DELIMITERS,
        throwOnError: false,  // a bad formula shows as an error in place; the rest render
        trust: false,
        maxSize: 10,  // em: no page-covering \rule or \kern
        maxExpand: 200,  // macro expansions: no \def loop that hangs the page
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
    renderMath(document);
    setUpCopy(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    renderMath(event.detail.elt);
  });
})();
