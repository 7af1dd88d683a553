// <token-doctor>: the whole page inside a shadow root, loaded with one
//   <script type="module" src=".../element.js"></script>
// Attributes (read once, when the element is first connected): `operation` (initial operation), `platform`
// (a built-in platform id), `no-sample` (open empty instead of with the sample token), `clear-after` (minutes
// without use after which everything is cleared: 1 to 1440, default 15; 0 leaves that box unticked).
// The stylesheet, the engine and the matrices are loaded from next to this module.
//
// This module has no static import, so it runs as soon as it arrives: it asks for mount.js (the instance) and for
// assets.js (which starts fetching and compiling the engine) at once, rather than the engine waiting for mount.js
// and everything it imports.
const mounting = import('./mount.js');
import('./assets.js').catch(() => {}); // a failure is reported by the instance, which awaits the engine

class TokenDoctorElement extends HTMLElement {
  connectedCallback() {
    if (this.controller) return;
    const shadow = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    const style = document.createElement('link');
    style.rel = 'stylesheet';
    style.href = new URL('./style.css', import.meta.url).href;
    const container = document.createElement('div');
    container.className = 'td-host';
    shadow.replaceChildren(style, container);
    this.controller = mounting.then(({ mountTokenDoctor }) => mountTokenDoctor(container, {
      sample: !this.hasAttribute('no-sample'),
      operation: this.getAttribute('operation') ?? undefined,
      platform: this.getAttribute('platform') ?? undefined,
      clearAfterMinutes: this.getAttribute('clear-after') ?? undefined,
    }));
    /** Resolves when the instance is ready (tests and hosts can await it). */
    this.ready = this.controller;
  }

  disconnectedCallback() {
    const controller = this.controller;
    this.controller = null;
    controller?.then((c) => c.destroy(), () => {});
  }
}

if (!customElements.get('token-doctor')) customElements.define('token-doctor', TokenDoctorElement);
