// app.js: small progressive enhancements. Every page works without it.
// No inline code, no eval: works under script-src 'self'.
(() => {
    "use strict";

    // <form data-reset-on-success hx-post="..."> : clear the form after htmx
    // swapped a successful (2xx) answer, e.g. the message composer.
    document.addEventListener("htmx:finally:request", (evt) => {
        let ctx = evt.detail && evt.detail.ctx;
        let form = evt.target;
        if (!ctx || !(form instanceof HTMLFormElement) || !form.isConnected) return;
        if (!form.hasAttribute("data-reset-on-success")) return;
        let status = ctx.response && ctx.response.status;
        if (ctx.status === "swapped" && status >= 200 && status < 300) form.reset();
    });

    // Focus after a swap needs no code: htmx 4 focuses the first [autofocus]
    // element of swapped content (give non-form elements tabindex="-1").
})();
