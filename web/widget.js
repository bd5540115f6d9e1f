/*
 * posfaq embeddable search box.
 *
 *   <script src="https://HOST/widget.js" defer></script>
 *   <div data-posfaq-search></div>
 *
 * Every [data-posfaq-search] element becomes a compact as-you-type search
 * against the posfaq server the script was loaded from. Self-contained on
 * purpose (no app.js, no external CSS): host pages should only need the two
 * lines above. All class names carry the posfaq-w- prefix so host styles and
 * ours do not collide.
 *
 * The widget calls the server's API from the host page's origin, so the
 * server must allow that origin, or the browser blocks every search:
 *
 *   posfaq serve --cors-origins https://www.example.com
 *
 * (comma-separated for several sites, or POSFAQ_CORS_ORIGINS; `*` allows
 * any site). A host page with a Content-Security-Policy must also allow
 * the server in script-src (for this file) and connect-src (for the API).
 * Searches are recorded in the server's analytics as client `widget`.
 *
 * Optional attributes on the placeholder element:
 *   data-placeholder="…"   input placeholder text
 */
(() => {
  'use strict';

  const DEBOUNCE_MS = 150;
  const HIT_LIMIT = 5;
  const STEPS_SHOWN = 3;
  const STYLE_ID = 'posfaq-w-style';

  /*
   * document.currentScript is only set while this file first runs, so read it
   * now. The fallback covers loaders that inject the tag without currentScript.
   */
  const script = document.currentScript
    || [...document.querySelectorAll('script[src]')].find((s) => /\/widget\.js(?:[?#]|$)/.test(s.src));
  if (!script) return;
  // The directory widget.js was served from: the origin in the usual setup,
  // and still right if the server is mounted under a sub-path.
  const BASE = new URL('./', script.src);

  const CSS = `
.posfaq-w {
  all: initial;
  display: block;
  box-sizing: border-box;
  max-width: 36rem;
  color: #1d2330;
  font-family: system-ui, -apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei",
    "Noto Sans CJK SC", "Source Han Sans SC", "Segoe UI", Roboto, sans-serif;
  font-size: 15px;
  line-height: 1.6;
  text-align: left;
}
.posfaq-w *, .posfaq-w *::before, .posfaq-w *::after { box-sizing: border-box; }
.posfaq-w-form { position: relative; margin: 0; }
.posfaq-w-sr {
  position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap;
}
.posfaq-w-input {
  display: block; width: 100%; min-height: 46px; margin: 0;
  padding: 0.5rem 0.9rem; border: 1px solid #d5d9e0; border-radius: 10px;
  background: #fff; color: #1d2330; font: inherit; font-size: 16px;
  box-shadow: 0 1px 2px rgba(16, 24, 40, 0.06);
  -webkit-appearance: none; appearance: none;
}
.posfaq-w-input:focus { outline: none; border-color: #2455c3; box-shadow: 0 0 0 3px #dbe5fb; }
.posfaq-w-form.posfaq-w-is-loading::after {
  content: ""; position: absolute; left: 10px; right: 10px; bottom: 0; height: 2px;
  background: linear-gradient(90deg, transparent, #2455c3, transparent) no-repeat;
  background-size: 50% 100%; animation: posfaq-w-loading 0.9s linear infinite;
}
@keyframes posfaq-w-loading { from { background-position: -50% 0; } to { background-position: 150% 0; } }
.posfaq-w-results { margin-top: 0.5rem; }
.posfaq-w-results:empty { display: none; }
.posfaq-w-results a { color: #2455c3; text-decoration: none; }
.posfaq-w-results a:hover { text-decoration: underline; }
.posfaq-w-results a:focus-visible { outline: 2px solid #2455c3; outline-offset: 2px; border-radius: 3px; }
.posfaq-w-fix {
  margin: 0 0 0.5rem; padding: 0.75rem 0.9rem; border: 1px solid #d7ebe1;
  border-left: 4px solid #17785a; border-radius: 10px; background: #f3faf6;
}
.posfaq-w-kicker { display: block; margin: 0; color: #17785a; font-size: 12px; font-weight: 600; }
.posfaq-w-fix-title { display: inline-block; margin: 0.1rem 0 0.25rem; font-size: 16px; font-weight: 700; }
.posfaq-w-steps { margin: 0; padding: 0 0 0 1.3rem; list-style: decimal; }
.posfaq-w-steps li { margin: 0.1rem 0; padding: 0; }
.posfaq-w-fix-more { display: inline-block; margin-top: 0.35rem; padding: 0.25rem 0; font-size: 13px; }
.posfaq-w-hits { margin: 0; padding: 0; list-style: none; }
.posfaq-w-hit { margin: 0; padding: 0.5rem 0.25rem; border-bottom: 1px solid #eceef2; }
.posfaq-w-hit:last-child { border-bottom: 0; }
.posfaq-w-hit-title { display: inline-block; padding: 0.15rem 0; font-weight: 600; }
.posfaq-w-section { margin-left: 0.5rem; color: #17785a; font-size: 12px; }
.posfaq-w-snippet {
  margin: 0; color: #4a5261; font-size: 13px;
  display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 2; overflow: hidden;
}
.posfaq-w mark {
  background: #ffe49a; color: inherit; padding: 0 0.1em; border-radius: 2px; font-weight: 600;
}
.posfaq-w-footer {
  display: flex; justify-content: space-between; gap: 0.5rem; flex-wrap: wrap;
  margin: 0.35rem 0 0; color: #6b7280; font-size: 12px;
}
.posfaq-w-footer a { padding: 0.25rem 0; }
.posfaq-w-message { margin: 0; padding: 0.5rem 0.25rem; color: #4a5261; font-size: 14px; }
.posfaq-w-error { color: #b42318; }
@media (prefers-reduced-motion: reduce) {
  .posfaq-w-form.posfaq-w-is-loading::after { animation: none; background-position: 50% 0; }
}
`;

  /*
   * Prefer a constructed stylesheet: host pages with a strict CSP (style-src
   * without 'unsafe-inline', like posfaq's own) block a <style> element and log
   * a violation, while CSSOM-constructed sheets are outside CSP's reach. The
   * <style> element is the fallback for browsers without adoptedStyleSheets
   * (Safari < 16.4).
   */
  let stylesInjected = false;

  function injectStyles() {
    if (stylesInjected) return;
    stylesInjected = true;
    if ('adoptedStyleSheets' in document && 'replaceSync' in CSSStyleSheet.prototype) {
      try {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
        return;
      } catch {
        // Fall through to the <style> element.
      }
    }
    const style = document.createElement('style');
    style.id = STYLE_ID;
    style.textContent = CSS;
    (document.head || document.documentElement).append(style);
  }

  /* ------------------------------------------------------------------ */

  function debounce(fn, ms) {
    let timer = 0;
    const debounced = (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), ms);
    };
    debounced.cancel = () => clearTimeout(timer);
    return debounced;
  }

  /* Abort the previous request, and ignore any answer that is not the latest. */
  function latestOnly() {
    let controller = null;
    let seq = 0;
    return {
      start() {
        if (controller) controller.abort();
        controller = new AbortController();
        const mine = ++seq;
        return { signal: controller.signal, isCurrent: () => mine === seq };
      },
      cancel() {
        if (controller) controller.abort();
        controller = null;
        seq++;
      },
    };
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  /* Links open in a new tab so the host page stays where the reader left it. */
  function link(className, text, href) {
    const a = el('a', className, text);
    a.href = href;
    a.target = '_blank';
    a.rel = 'noopener';
    return a;
  }

  function searchPageUrl(q) {
    const url = new URL(BASE);
    url.searchParams.set('q', q);
    return url.href;
  }

  /* Same route as the search page; the anchor lands on the matching section. */
  function articleUrl(id, anchor) {
    const url = new URL(BASE);
    url.hash = `/article/${encodeURIComponent(id)}${anchor ? `/${encodeURIComponent(anchor)}` : ''}`;
    return url.href;
  }

  async function search(q, signal) {
    const url = new URL('api/search', BASE);
    url.searchParams.set('q', q);
    url.searchParams.set('limit', String(HIT_LIMIT));
    url.searchParams.set('client', 'widget');
    let response;
    try {
      response = await fetch(url, {
        signal,
        mode: 'cors',
        credentials: 'omit',
        headers: { Accept: 'application/json' },
      });
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      throw new Error('无法连接搜索服务，请稍后再试。');
    }
    let body = null;
    try {
      body = await response.json();
    } catch {
      // Non-JSON answer: report the status below.
    }
    if (!response.ok || !body) {
      throw new Error(body && body.error ? String(body.error) : `搜索服务出错（${response.status}）。`);
    }
    return body;
  }

  /* ------------------------------------------------------------------ */

  function mount(host) {
    host.dataset.posfaqMounted = 'true';
    // Random, not a counter: the script may be included twice on one page.
    const uid = `posfaq-w-q-${Math.random().toString(36).slice(2, 10)}`;

    const root = el('div', 'posfaq-w');
    const form = el('form', 'posfaq-w-form');
    form.setAttribute('role', 'search');
    const label = el('label', 'posfaq-w-sr', '搜索 POS 机问题');
    label.htmlFor = uid;
    const input = el('input', 'posfaq-w-input');
    input.id = uid;
    input.type = 'search';
    input.autocomplete = 'off';
    input.maxLength = 200;
    input.spellcheck = false;
    input.enterKeyHint = 'search';
    input.placeholder = host.dataset.placeholder || '搜索 POS 机问题，如：83无效终端';
    const results = el('div', 'posfaq-w-results');
    // Announce a short count, not the whole result list on every keystroke.
    const announcer = el('p', 'posfaq-w-sr');
    announcer.setAttribute('aria-live', 'polite');
    form.append(label, input);
    root.append(form, results, announcer);
    host.replaceChildren(root);

    const request = latestOnly();

    async function run() {
      const q = input.value.trim();
      if (!q) {
        request.cancel();
        form.classList.remove('posfaq-w-is-loading');
        results.replaceChildren();
        announcer.textContent = '';
        return;
      }
      const { signal, isCurrent } = request.start();
      form.classList.add('posfaq-w-is-loading');
      try {
        const data = await search(q, signal);
        if (!isCurrent()) return;
        render(results, q, data);
        announcer.textContent = data.fix || data.total ? `找到 ${Number(data.total) || 0} 条结果` : '没有找到结果';
      } catch (err) {
        if (!isCurrent() || err.name === 'AbortError') return;
        results.replaceChildren(el('p', 'posfaq-w-message posfaq-w-error', err.message));
        announcer.textContent = err.message;
      } finally {
        if (isCurrent()) form.classList.remove('posfaq-w-is-loading');
      }
    }

    const scheduleRun = debounce(run, DEBOUNCE_MS);

    input.addEventListener('input', (event) => {
      if (!event.isComposing) scheduleRun(); // skip pinyin mid-composition
    });
    input.addEventListener('compositionend', scheduleRun);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      scheduleRun.cancel();
      run();
    });
  }

  function render(results, q, data) {
    // `weak`: nothing reliable (an off-topic query): no list of weak hits.
    const hits = Array.isArray(data.hits) && data.weak !== true ? data.hits.slice(0, HIT_LIMIT) : [];
    const parts = [];
    if (data.fix) parts.push(renderFix(data.fix, q));
    if (hits.length) {
      const list = el('ul', 'posfaq-w-hits');
      list.append(...hits.map(renderHit));
      parts.push(list);
    }
    if (!parts.length) {
      parts.push(el('p', 'posfaq-w-message', `没有找到可靠答案：与“${q}”相关的内容暂未收录。`));
    } else {
      parts.push(renderFooter(q, Number(data.total) || hits.length));
    }
    results.replaceChildren(...parts);
  }

  function renderFix(fix, q) {
    const box = el('div', 'posfaq-w-fix');
    box.dataset.id = fix.id;
    box.append(el('span', 'posfaq-w-kicker', '推荐解决方案'));
    box.append(link('posfaq-w-fix-title', fix.title || fix.id, searchPageUrl(q)));
    const steps = Array.isArray(fix.steps) ? fix.steps : [];
    if (steps.length) {
      const list = el('ol', 'posfaq-w-steps');
      list.append(...steps.slice(0, STEPS_SHOWN).map((step) => el('li', null, step)));
      box.append(list);
    }
    const more = steps.length > STEPS_SHOWN ? `查看全部 ${steps.length} 个步骤 →` : '查看完整解决方案 →';
    box.append(link('posfaq-w-fix-more', more, searchPageUrl(q)));
    return box;
  }

  function renderHit(hit) {
    const item = el('li', 'posfaq-w-hit');
    item.dataset.id = hit.id;
    item.append(link('posfaq-w-hit-title', hit.title || hit.id, articleUrl(hit.id, hit.anchor)));
    // Several hits can come from one article; the section tells them apart.
    if (hit.section && hit.section !== hit.title) item.append(el('span', 'posfaq-w-section', hit.section));
    if (hit.snippet) {
      const snippet = el('p', 'posfaq-w-snippet');
      snippet.innerHTML = hit.snippet; // server-made: escaped text + <mark> only
      item.append(snippet);
    }
    return item;
  }

  function renderFooter(q, total) {
    const footer = el('p', 'posfaq-w-footer');
    footer.append(el('span', null, 'posfaq · POS 机问题搜索'));
    footer.append(link('posfaq-w-all', total > 0 ? `查看全部 ${total} 条结果` : '在 posfaq 中搜索', searchPageUrl(q)));
    return footer;
  }

  /* ------------------------------------------------------------------ */

  function mountAll() {
    const hosts = document.querySelectorAll('[data-posfaq-search]:not([data-posfaq-mounted])');
    if (!hosts.length) return;
    injectStyles();
    hosts.forEach(mount);
  }

  // `defer` runs us after parsing, but a plain or async tag may run earlier.
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', mountAll, { once: true });
  } else {
    mountAll();
  }
})();
