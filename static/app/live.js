// live.js: resume and status for htmx 4's websocket extension (hx-ws).
//
// htmx's hx-ws extension owns the socket: it connects, reconnects with
// exponential backoff and swaps every received HTML message (hx-swap-oob,
// <hx-partial>) through htmx.swap(). It reads the hx-ws:connect URL only once,
// so this file keeps the URL current: before every (re)connect, and after every
// message, the query parameter `after` is set to the highest sequence number
// shown in the timeline, so the server sends only what this tab has not seen.
//
// Markup (room page):
//   <div id="live" hx-ws:connect="/rooms/R/live" hx-swap="none"
//        data-live-after="42" data-live-scope="#timeline"></div>
//   <p id="live-status" class="ar-live-status" role="status" hidden></p>
//   ... items in #timeline carry id="item-N" data-seq="N" ...
//
// No inline code, no eval: works under script-src 'self'.
(() => {
    "use strict";

    // Highest sequence number known to this tab.
    function lastSeq(connectElt) {
        let max = parseInt(connectElt.dataset.liveAfter || "0", 10) || 0;
        let scopeSel = connectElt.dataset.liveScope;
        let scope = (scopeSel && document.querySelector(scopeSel)) || document;
        for (let item of scope.querySelectorAll("[data-seq]")) {
            let n = parseInt(item.dataset.seq, 10);
            if (n > max) max = n;
        }
        return max;
    }

    // connection.url is what hx-ws passes to `new WebSocket()` on every
    // (re)connect, including the reconnect after the tab was in the background.
    function setAfter(connection, connectElt) {
        if (!connection || !connection.url) return;
        let url = new URL(connection.url);
        url.searchParams.set("after", String(lastSeq(connectElt)));
        connection.url = url.href;
    }

    document.addEventListener("htmx:ws:before:connection", (evt) => {
        setAfter(evt.detail.connection, evt.target);
    });
    document.addEventListener("htmx:ws:after:message:incoming", (evt) => {
        setAfter(evt.detail.connection, evt.target);
    });

    // Idempotent inserts: a timeline item that is already on the page is not
    // inserted twice (e.g. it arrived over HTTP and over the socket). Updates
    // (outerHTML/innerHTML swaps by id) are left alone.
    const INSERTS = ["beforeend", "afterbegin", "beforebegin", "afterend"];
    document.addEventListener("htmx:before:swap", (evt) => {
        let tasks = evt.detail.tasks || [];
        for (let task of tasks) {
            if (!task.fragment || !INSERTS.includes(task.swapSpec && task.swapSpec.style)) continue;
            for (let item of task.fragment.querySelectorAll("[data-seq][id]")) {
                if (document.getElementById(item.id)) item.remove();
            }
        }
    });

    // Connection state for people: a polite status line, only while it matters.
    function status(text) {
        let elt = document.getElementById("live-status");
        if (!elt) return;
        if (text) {
            elt.textContent = text;
            elt.hidden = false;
        } else {
            elt.textContent = "";
            elt.hidden = true;
        }
    }

    document.addEventListener("htmx:ws:after:connection", () => status(""));
    document.addEventListener("htmx:ws:close", (evt) => {
        let d = evt.detail || {};
        if (d.reason !== "closed" || document.hidden) return; // removed / paused in background
        let codes = (d.connection && d.connection.config && d.connection.config.reconnectCodes) || [];
        if (codes.includes(d.code)) {
            status("Verbindung unterbrochen. Neue Nachrichten erscheinen, sobald sie wiederhergestellt ist.");
        } else {
            status("Die Seite wird nicht mehr automatisch aktualisiert. Bitte laden Sie die Seite neu.");
        }
    });

    // Back/forward cache: hx-ws closes sockets on pagehide; re-initialise the
    // connect elements when the page is shown again from the cache.
    window.addEventListener("pageshow", (evt) => {
        if (!evt.persisted || !window.htmx) return;
        for (let elt of document.querySelectorAll("[hx-ws\\:connect],[data-hx-ws\\:connect]")) {
            window.htmx.process(elt, true);
        }
    });
})();
