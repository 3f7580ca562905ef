/* papertide: small enhancements over pages that work without JavaScript.
   LaTeX in titles and abstracts (elements with class "tex") through KaTeX's auto-render, each
   formula of a comment (span.math) alone, loaded and rendered only when a formula comes near
   the screen; and the "Copy BibTeX" button. No inline scripts, so the CSP stays
   script-src 'self'. */
(function () {
  "use strict";
  var DELIMITERS = [
    { left: "$$", right: "$$", display: true },
    { left: "\\[", right: "\\]", display: true },
    { left: "$", right: "$", display: false },
    { left: "\\(", right: "\\)", display: false }
  ];
  var OPENINGS = /\$|\\\(|\\\[/;  // text without one of these has nothing for KaTeX

  var MAX_SIZE = 10;  // em: a \rule or \kern never covers the page
  var MAX_EXPAND = 200;  // macro expansions: a \def loop stops with an error
  var SLICE_MS = 8;  // render this long, then let the page answer input: under the 50 ms of a
  // long task on a phone four times slower
  var NEAR = "100% 0px";  // a formula within a screen of the viewport renders before it shows

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

  /* KaTeX, fetched the first time a formula needs it, then(): the page names its stylesheet
     and scripts in <script type="application/json" id="katex"> (nothing is fetched for it),
     and only when it holds a formula (web/render.py). */
  var katexReady = false;
  var katexWaiting = [];
  function withKatex(then) {
    if (katexReady) { then(); return; }
    katexWaiting.push(then);
    var named = document.getElementById("katex");
    if (katexWaiting.length > 1 || !named) { return; }
    var files = JSON.parse(named.textContent);
    var loading = files.scripts.length + 1;
    function loaded() {
      loading -= 1;
      if (loading > 0) { return; }
      katexReady = true;
      katexWaiting.splice(0).forEach(function (waiting) { waiting(); });
    }
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = files.stylesheet;
    link.addEventListener("load", loaded);
    document.head.appendChild(link);
    files.scripts.forEach(function (src) {
      var script = document.createElement("script");
      script.src = src;
      script.async = false;  // run in order: auto-render needs KaTeX
      script.addEventListener("load", loaded);
      document.head.appendChild(script);
    });
  }

  /* A comment's formula: each <span class="math">$...$</span> (made by the server) on its
     own, so a broken or hostile one shows its error in place and the others still render. */
  function renderFormula(element) {
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
  }

  /* The formulas of a title, an abstract or a summary (class "tex"), found by auto-render. */
  function renderTex(element) {
    window.renderMathInElement(element, {
      delimiters: DELIMITERS,
      throwOnError: false,
      trust: false,
      maxSize: MAX_SIZE,
      maxExpand: MAX_EXPAND,
      ignoredTags: ["script", "noscript", "style", "textarea", "pre", "code", "option"]
    });
  }

  function render(element) {
    if (element.classList.contains("math")) { renderFormula(element); } else { renderTex(element); }
  }

  /* The elements under root (root included) whose text may hold a formula. */
  function withFormulas(root) {
    if (!root.querySelectorAll) { return []; }
    var found = root.matches && root.matches(".tex, span.math") ? [root] : [];
    root.querySelectorAll(".tex, span.math").forEach(function (element) { found.push(element); });
    return found.filter(function (element) { return OPENINGS.test(element.textContent); });
  }

  /* The page's formulas: those near the screen first, as it scrolls; once KaTeX is loaded for
     them, the others too (in slices), so find-in-page and printing see rendered math. A page
     whose formulas all lie far below the first screen paints and settles without KaTeX. */
  function renderWhenNear(elements) {
    if (!elements.length || !document.getElementById("katex")) { return; }  // none to typeset
    if (!window.IntersectionObserver) {
      withKatex(function () { inSlices(elements, render); });
      return;
    }
    var waiting = elements.slice();
    var observer = new IntersectionObserver(function (entries) {
      var near = [];
      entries.forEach(function (entry) {
        if (entry.isIntersecting && waiting.indexOf(entry.target) >= 0) {
          near.push(entry.target);
          waiting.splice(waiting.indexOf(entry.target), 1);
          observer.unobserve(entry.target);
        }
      });
      if (!near.length) { return; }
      withKatex(function () {
        observer.disconnect();
        inSlices(near.concat(waiting.splice(0)), render);
      });
    }, { rootMargin: NEAR });
    elements.forEach(function (element) { observer.observe(element); });
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
    renderWhenNear(withFormulas(document));
    setUpCopy(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {  // in view: render it now
    var swapped = withFormulas(event.detail.elt);
    if (swapped.length) { withKatex(function () { inSlices(swapped, render); }); }
  });
})();
