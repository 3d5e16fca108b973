// The Pitts lab's own browser code: typesets [data-tex] elements with the shipped KaTeX (also when Blazor adds or
// changes them) and keeps the URL's query in step with a widget's state. No network, no CDN.
(function () {
    "use strict";
    function typeset(el) {
        const tex = el.getAttribute("data-tex");
        if (tex === null || el.__tex === tex) return;
        el.__tex = tex;
        if (typeof katex === "undefined") { el.textContent = tex; return; }
        try {
            katex.render(tex, el, { displayMode: el.classList.contains("tex-display"), throwOnError: false });
        } catch (e) {
            el.textContent = tex;
        }
    }
    function scan(root) {
        if (root.nodeType !== 1) return;
        if (root.hasAttribute("data-tex")) typeset(root);
        root.querySelectorAll("[data-tex]").forEach(typeset);
    }
    const observer = new MutationObserver(function (mutations) {
        for (const m of mutations) {
            if (m.type === "attributes") typeset(m.target);
            else m.addedNodes.forEach(scan);
        }
    });
    function start() {
        scan(document.body);
        observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-tex"] });
    }
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();

    window.pittsLab = {
        // Replaces the query string without a navigation (the page already shows this state).
        setQuery: function (query) {
            const url = location.pathname + (query ? "?" + query : "") + location.hash;
            history.replaceState(history.state, "", url);
        },
        // Saves bytes made in the page (a .NET byte[] arrives as a Uint8Array) as a file: a Blob, its object URL and a
        // click on a temporary link with the download attribute; nothing leaves the browser.
        download: function (fileName, mimeType, bytes) {
            const url = URL.createObjectURL(new Blob([bytes], { type: mimeType }));
            const a = document.createElement("a");
            a.href = url;
            a.download = fileName;
            a.style.display = "none";
            document.body.appendChild(a);
            a.click();
            a.remove();
            setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
        }
    };
})();
