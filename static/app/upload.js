// upload.js: progressive enhancement of every <form class="upload-form">.
//
// Without JavaScript the form is a plain multipart POST (several files at once,
// answered with 303 back to the room). With it:
//   - the input's area (.kern-form-input) becomes a drop zone for files dragged
//     onto it; the file input itself stays as it is for keyboard and screen
//     reader users (the zone's hint is aria-hidden: it is for pointer users);
//   - on submit every file is sent as a request of its own with XMLHttpRequest
//     (fetch reports no upload progress), with `HX-Request: true`, so the server
//     and the form's CSRF token as the `x-csrftoken` header, so the server
//     answers 204 on success or 4xx with the _upload_error.html fragment;
//   - every file gets a row in the form's aria-live list (.upload-status):
//     its name, a <progress> named by it, a percentage, then the result.
// The new timeline items and the scan verdicts arrive over the room's websocket
// (live.js); nothing here reloads the page.
//
// Texts come from data-upload-text-* attributes on the form (translated by the
// template). No inline code or styles: works under script-src 'self'.
(() => {
    "use strict";

    let rowCount = 0;

    function el(tag, className, text) {
        let node = document.createElement(tag);
        if (className) node.className = className;
        if (text) node.textContent = text;
        return node;
    }

    function fileInput(form) {
        return form.querySelector('input[type="file"]');
    }

    // ---- drop zone --------------------------------------------------------

    function hasFiles(evt) {
        let types = evt.dataTransfer && evt.dataTransfer.types;
        return !!types && Array.prototype.indexOf.call(types, "Files") !== -1;
    }

    function setupDropZone(form, input) {
        let zone = input.closest(".kern-form-input") || input.parentElement;
        zone.classList.add("upload-drop");
        if (form.dataset.uploadTextDrop) {
            let hint = el("p", "upload-drop__hint kern-body--small", form.dataset.uploadTextDrop);
            hint.setAttribute("aria-hidden", "true");
            zone.appendChild(hint);
        }
        let depth = 0; // dragenter/dragleave fire for every child element
        zone.addEventListener("dragenter", (evt) => {
            if (!hasFiles(evt)) return;
            evt.preventDefault();
            depth += 1;
            zone.classList.add("upload-drop--over");
        });
        zone.addEventListener("dragover", (evt) => {
            if (!hasFiles(evt)) return;
            evt.preventDefault(); // allows the drop
            evt.dataTransfer.dropEffect = "copy";
        });
        zone.addEventListener("dragleave", () => {
            depth = Math.max(0, depth - 1);
            if (depth === 0) zone.classList.remove("upload-drop--over");
        });
        zone.addEventListener("drop", (evt) => {
            depth = 0;
            zone.classList.remove("upload-drop--over");
            if (!hasFiles(evt) || !evt.dataTransfer.files.length) return;
            evt.preventDefault(); // the browser must not open the file instead
            input.files = evt.dataTransfer.files;
            input.dispatchEvent(new Event("change", { bubbles: true }));
            input.focus();
        });
    }

    // ---- rows -------------------------------------------------------------

    function addRow(list, file) {
        rowCount += 1;
        let nameId = "upload-row-" + rowCount + "-name";
        let row = el("li", "upload-row");
        let name = el("span", "upload-row__name", file.name);
        name.id = nameId;
        let bar = el("div", "upload-row__bar kern-progress");
        let progress = document.createElement("progress");
        progress.max = 100;
        progress.value = 0;
        progress.setAttribute("aria-labelledby", nameId);
        bar.appendChild(progress);
        // The percentage is for the eye; the progress bar carries the value for
        // assistive technology, so the live region does not announce every step.
        let percent = el("span", "upload-row__percent", "0 %");
        percent.setAttribute("aria-hidden", "true");
        let result = el("span", "upload-row__result kern-body--small");
        row.append(name, bar, percent, result);
        list.appendChild(row);
        return { row, progress, percent, result };
    }

    function setProgress(row, pct) {
        pct = Math.max(0, Math.min(100, Math.round(pct)));
        row.progress.value = pct; // the value attribute: no inline style
        row.percent.textContent = pct + " %";
    }

    function finish(row, ok, text) {
        row.row.classList.add(ok ? "upload-row--done" : "upload-row--failed");
        if (ok) setProgress(row, 100);
        row.result.textContent = text;
    }

    // The server's reason, from its error fragment (parsed inertly, never inserted).
    function errorText(xhr, fallback) {
        let type = xhr.getResponseHeader("content-type") || "";
        if (xhr.responseText && type.indexOf("text/html") === 0) {
            let doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
            let alert = doc.getElementById("upload-error") || doc.querySelector('[role="alert"]');
            let text = alert && alert.textContent.replace(/\s+/g, " ").trim();
            if (text) return text;
        }
        return fallback;
    }

    // ---- sending ----------------------------------------------------------

    function send(form, input, file, row) {
        return new Promise((resolve) => {
            let data = new FormData();
            data.append(input.name || "file", file, file.name);
            let xhr = new XMLHttpRequest();
            xhr.open("POST", form.action);
            xhr.setRequestHeader("HX-Request", "true");
            // The token as a header, checked before the body is read (never in the URL).
            let token = form.querySelector('input[name="_csrf_token"]');
            if (token) xhr.setRequestHeader("x-csrftoken", token.value);
            xhr.upload.addEventListener("progress", (evt) => {
                // Never show 100 % before the server has answered.
                if (evt.lengthComputable && evt.total) setProgress(row, (evt.loaded / evt.total) * 99);
            });
            xhr.addEventListener("load", () => {
                if (xhr.status >= 200 && xhr.status < 300) {
                    finish(row, true, form.dataset.uploadTextDone || "");
                    resolve(true);
                } else {
                    finish(row, false, errorText(xhr, form.dataset.uploadTextFailed || ""));
                    resolve(false);
                }
            });
            let failed = () => {
                finish(row, false, form.dataset.uploadTextFailed || "");
                resolve(false);
            };
            xhr.addEventListener("error", failed);
            xhr.addEventListener("abort", failed);
            xhr.addEventListener("timeout", failed);
            xhr.send(data);
        });
    }

    async function submit(form, input, list) {
        let files = Array.from(input.files || []);
        if (!files.length) return;
        let button = form.querySelector('button[type="submit"], button:not([type])');
        form.setAttribute("aria-busy", "true");
        if (button) button.disabled = true;
        list.replaceChildren();
        let rows = files.map((file) => addRow(list, file));
        let failed = [];
        try {
            // One after the other: the room's limits are checked in order, and the
            // timeline gets the files in the order they were chosen.
            for (let i = 0; i < files.length; i += 1) {
                if (!(await send(form, input, files[i], rows[i]))) failed.push(files[i]);
            }
        } finally {
            form.removeAttribute("aria-busy");
            if (button) button.disabled = false;
        }
        if (!failed.length) {
            form.reset();
            return;
        }
        // Keep only the refused files selected, so that "Hochladen" does not
        // send the accepted ones again.
        try {
            let keep = new DataTransfer();
            for (let file of failed) keep.items.add(file);
            input.files = keep.files;
        } catch (_) {
            /* no DataTransfer constructor: the selection stays as it was */
        }
    }

    function enhance(form) {
        if (form.dataset.uploadEnhanced) return;
        let input = fileInput(form);
        let list = form.querySelector(".upload-status");
        if (!input || !list || typeof XMLHttpRequest === "undefined" || !window.FormData) return;
        form.dataset.uploadEnhanced = "true";
        setupDropZone(form, input);
        form.addEventListener("submit", (evt) => {
            if (evt.defaultPrevented) return;
            evt.preventDefault();
            if (form.getAttribute("aria-busy") === "true") return;
            submit(form, input, list);
        });
    }

    function enhanceAll(root) {
        if (root.matches && root.matches("form.upload-form")) enhance(root);
        if (root.querySelectorAll) root.querySelectorAll("form.upload-form").forEach(enhance);
    }

    // Forms on the page, and those that arrive later (a request for documents
    // swapped into the timeline over the websocket carries its own form).
    function start() {
        enhanceAll(document);
        new MutationObserver((mutations) => {
            for (let m of mutations) {
                for (let node of m.addedNodes) {
                    if (node.nodeType === 1) enhanceAll(node);
                }
            }
        }).observe(document.body, { childList: true, subtree: true });
    }

    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
})();
