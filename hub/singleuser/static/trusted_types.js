/* The workspace page's Trusted Types default policy: HTML cannot navigate the tab away.
 *
 * The workspace's Content-Security-Policy (hub/singleuser/csp.py) requires Trusted Types
 * for every script sink, so every HTML string the page gives to innerHTML, outerHTML,
 * insertAdjacentHTML, DOMParser, document.write, srcdoc… passes through this policy
 * first: the lab's own UI, trusted outputs, markdown, widgets alike. It removes the
 * elements that act on the page or the tab without any script and that no other
 * directive governs: <meta> (http-equiv="refresh" navigates the tab to another site with
 * rows in the URL), <base> and <link> (preconnect, dns-prefetch). HTML that cannot hold
 * such a tag is returned unchanged, so the lab and tables render exactly as before; HTML
 * that might is parsed, cleaned and serialized again.
 *
 * This file is served by the workspace server (hub/singleuser/trusted_types.py) and is the
 * first script of every page whose policy requires Trusted Types. If it does not load, no
 * default policy exists and every sink throws: the page fails closed, it does not render
 * HTML unchecked.
 */
(function () {
  "use strict";
  if (!window.trustedTypes || !window.trustedTypes.createPolicy) {
    return; // a browser without Trusted Types also ignores the directive that requires them
  }
  // Could the string hold such a tag? The tokenizer reads "<", the name (ASCII
  // case-insensitive: it lowercases nothing else) and ends the name only at a space, "/" or
  // ">": a string without this cannot create one, in whatever context it is parsed.
  // (<metadata>, <linearGradient>, <basefont> are other elements: left alone.) Each string
  // is checked on its own: document.write joins the chunks it is given, but only a script
  // calls it, and no script of an output runs (script-src).
  var TAG = /<(?:meta|base|link)(?:[\s/>]|$)/i;
  var REMOVED = { meta: true, base: true, link: true };
  // Elements whose content is text here but markup in another context (inside <svg> or
  // <math> they are ordinary elements), or that the serializer writes out unescaped.
  var TEXT_ONLY = {
    style: true, script: true, xmp: true, iframe: true, noembed: true, noframes: true,
    noscript: true, plaintext: true, textarea: true, title: true,
  };

  // The parse below is itself a sink: through this named pass-through policy it does not
  // come back to the default one. Nothing else can reach it (it lives in this closure).
  var parsing = window.trustedTypes.createPolicy("campus-parse", {
    createHTML: function (html) {
      return html;
    },
  });

  // Remove, under `parent`, the elements and whatever could spell one again elsewhere.
  function clean(parent) {
    var children = Array.prototype.slice.call(parent.childNodes);
    for (var i = 0; i < children.length; i++) {
      var node = children[i];
      if (node.nodeType === Node.ELEMENT_NODE) {
        // localName: also an SVG or MathML <meta>, which the parser may move back to HTML
        if (REMOVED[node.localName]) {
          node.remove();
          continue;
        }
        // an attribute holding the markup again (srcdoc="<meta …>")
        var attributes = Array.prototype.slice.call(node.attributes);
        for (var j = 0; j < attributes.length; j++) {
          if (TAG.test(attributes[j].value)) {
            node.removeAttributeNode(attributes[j]);
          }
        }
        clean(node);
        if (node.content && node.localName === "template") {
          clean(node.content); // a <template>'s children live in its content
        }
      } else if (node.nodeType === Node.COMMENT_NODE || (node.nodeType === Node.TEXT_NODE && TEXT_ONLY[parent.localName])) {
        if (TAG.test(node.data)) {
          node.remove();
        }
      }
    }
  }

  function sanitize(html) {
    if (!TAG.test(html)) {
      return html;
    }
    var template = document.createElement("template");
    template.innerHTML = parsing.createHTML(html);
    clean(template.content);
    var result = template.innerHTML;
    // Belt and braces: what still looks like such a tag is not handed on at all.
    return TAG.test(result) ? "" : result;
  }

  window.trustedTypes.createPolicy("default", {
    createHTML: sanitize,
    // The lab compiles its settings schemas with new Function() (script-src allows
    // 'unsafe-eval') and its bundler sets script.src for chunks; script-src still decides
    // what runs, as before.
    createScript: function (script) {
      return script;
    },
    createScriptURL: function (url) {
      return url;
    },
  });
})();
