// Records on the root element what a test (or a curious official) may want to know went wrong: data-blocked lists
// any address the page's security policy blocked (the page asks for nothing outside itself, so there should be
// none), data-errors any script error.
(function () {
  var root = document.documentElement;
  function record(key, text) { root.dataset[key] = ((root.dataset[key] || "") + " | " + text).replace(/^ \| /, ""); }
  document.addEventListener("securitypolicyviolation", function (e) {
    record("blocked", e.blockedURI || e.violatedDirective);
  });
  window.addEventListener("error", function (e) { record("errors", e.message); });
})();
