/*
 * posfaq search page.
 *
 * Two views share one document: the search view (state in ?q=&category=&brand=)
 * and the article view (#/article/<id>[/<anchor>]). Keeping the query string
 * while an article is open means "back to results" and a shared link both
 * reproduce the search the reader came from.
 *
 * Security rules this file follows (the server sends a strict CSP):
 *   - API text goes into the DOM through textContent; the only innerHTML sinks
 *     are a hit's `snippet` (server-escaped, <mark> only) and an article's
 *     `html` (server-sanitized).
 *   - No inline styles or handlers: state is shown with classes and `hidden`.
 *
 * Analytics: every request says `client=page`; search and answer responses
 * name their recorded query in the Posfaq-Query-Id header, which clicks on
 * results and the fix card's "有帮助 / 没帮助" quote in POST api/feedback
 * (only when api/config says feedback is on).
 */
(() => {
  'use strict';

  const DEBOUNCE_MS = 150;
  const PAGE_SIZE = 10;
  const SUGGESTIONS = 6;
  // An alternative card is offered as "也可能是" when its confidence is
  // within this much of the card shown.
  const CLOSE_CONFIDENCE = 0.35;
  const CLIENT = 'page';

  const CATEGORY_LABELS = {
    'status-error': '状态异常',
    fees: '费用费率',
    application: '办理申请',
    usage: '使用问题',
    brand: '品牌',
  };

  const SUGGESTION_KIND_LABELS = {
    term: '关键词',
    title: '文章',
    symptom: '症状',
    fix: '解决方案',
  };

  const $ = (id) => document.getElementById(id);

  const els = {
    form: $('search-form'),
    q: $('q'),
    suggestions: $('suggestions'),
    filters: $('filters'),
    category: $('filter-category'),
    brand: $('filter-brand'),
    error: $('error'),
    empty: $('empty'),
    intro: $('intro'),
    noResults: $('no-results'),
    noResultsQuery: $('no-results-query'),
    contact: $('contact'),
    corrected: $('corrected'),
    fix: $('fix'),
    fixCopy: $('fix-copy'),
    fixVote: $('fix-vote'),
    fixVoteThanks: $('fix-vote-thanks'),
    fixAlternatives: $('fix-alternatives'),
    fixAlternativesBlock: $('fix-alternatives-block'),
    results: $('results'),
    status: $('status'),
    hits: $('hits'),
    more: $('more'),
    searchView: $('search-view'),
    articleView: $('article-view'),
    back: $('back'),
    articleError: $('article-error'),
    article: $('article'),
    articleTitle: $('article-title'),
    articleBadges: $('article-badges'),
    articleMeta: $('article-meta'),
    articleToc: $('article-toc'),
    articleTocList: $('article-toc-list'),
    articleBody: $('article-body'),
  };

  const DEFAULT_TITLE = document.title;

  /* ------------------------------------------------------------------ */
  /* Small helpers                                                       */
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

  /*
   * One in-flight request per purpose. Aborting saves bandwidth; the sequence
   * check is what guarantees correctness, because a response can already be
   * parsed (and past the abort point) when a newer request starts.
   */
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

  class ApiError extends Error {
    constructor(message, status) {
      super(message);
      this.name = 'ApiError';
      this.status = status;
    }
  }

  /* The body of a JSON API call. */
  async function getJSON(path, params, signal) {
    return (await requestJSON(path, params, signal)).body;
  }

  /*
   * A JSON API call: its body, and the id the server recorded the query
   * under (null for other routes, or with analytics off). Resolves against
   * the page, so the app also works when mounted under a sub-path.
   */
  async function requestJSON(path, params, signal) {
    const url = new URL(path, document.baseURI);
    for (const [key, value] of Object.entries(params || {})) {
      if (value !== '' && value != null) url.searchParams.set(key, String(value));
    }
    let response;
    try {
      response = await fetch(url, { signal, headers: { Accept: 'application/json' } });
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      throw new ApiError('网络连接失败，请检查网络后重试。', 0);
    }
    let body = null;
    try {
      body = await response.json();
    } catch {
      // Proxies and crashed servers answer with HTML; report the status instead.
    }
    if (!response.ok) {
      const message = body && typeof body.error === 'string' && body.error
        ? body.error
        : `服务器返回错误（${response.status}）。`;
      throw new ApiError(message, response.status);
    }
    if (body === null || typeof body !== 'object') {
      throw new ApiError('服务器返回了无法识别的数据。', response.status);
    }
    return { body, queryId: response.headers.get('Posfaq-Query-Id') };
  }

  /* ------------------------------------------------------------------ */
  /* Server configuration and feedback                                  */
  /* ------------------------------------------------------------------ */

  const config = { contact: null, feedback: false };

  async function loadConfig() {
    try {
      const data = await getJSON('api/config');
      config.feedback = data.feedback === true;
      config.contact = typeof data.contact === 'string' && data.contact ? data.contact : null;
    } catch {
      // Without it: no feedback, the default contact line.
    }
    if (config.contact) els.contact.textContent = config.contact;
  }

  /* Fire and forget: feedback must never get in the reader's way. */
  function sendFeedback(queryId, body) {
    if (!config.feedback || !queryId) return;
    fetch(new URL('api/feedback', document.baseURI), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query_id: queryId, ...body }),
      keepalive: true,
    }).catch(() => {});
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function badge(text, kind) {
    return el('span', `badge badge--${kind}`, text);
  }

  function categoryLabel(name) {
    return CATEGORY_LABELS[name] || name;
  }

  function asList(value) {
    return Array.isArray(value) ? value : [];
  }

  /* Ids are data, never markup or path syntax: always encode them. */
  function articleHref(id, anchor) {
    let href = `#/article/${encodeURIComponent(id)}`;
    if (anchor) href += `/${encodeURIComponent(anchor)}`;
    return href;
  }

  function formatMs(ms) {
    if (typeof ms !== 'number' || !Number.isFinite(ms)) return '';
    return ms < 10 ? ms.toFixed(1) : String(Math.round(ms));
  }

  /* ------------------------------------------------------------------ */
  /* URL state                                                           */
  /* ------------------------------------------------------------------ */

  function readSearchParams() {
    const params = new URLSearchParams(location.search);
    return {
      q: params.get('q') || '',
      category: params.get('category') || '',
      brand: params.get('brand') || '',
    };
  }

  function searchUrl({ q, category, brand }) {
    const params = new URLSearchParams();
    if (q) params.set('q', q);
    if (category) params.set('category', category);
    if (brand) params.set('brand', brand);
    const query = params.toString();
    return location.pathname + (query ? `?${query}` : '');
  }

  /* #/article/<id>[/<anchor>] → { id, anchor } or null. */
  function parseArticleRoute(hash) {
    const match = /^#\/article\/([^/]+)(?:\/([^/]+))?\/?$/.exec(hash);
    if (!match) return null;
    try {
      return {
        id: decodeURIComponent(match[1]),
        anchor: match[2] ? decodeURIComponent(match[2]) : '',
      };
    } catch {
      return null; // malformed %-escapes: treat as "not an article route"
    }
  }

  /* Accept ?article=<id> as an alias so older or hand-written links still work. */
  function migrateArticleParam() {
    const params = new URLSearchParams(location.search);
    const id = params.get('article');
    if (!id) return;
    params.delete('article');
    const query = params.toString();
    const url = location.pathname + (query ? `?${query}` : '') + articleHref(id);
    history.replaceState(null, '', url);
  }

  /* ------------------------------------------------------------------ */
  /* Search                                                              */
  /* ------------------------------------------------------------------ */

  const search = {
    request: latestOnly(),
    criteria: null, // what the results on screen (or on their way) are for
    key: null, // criteriaKey(criteria); reset to null when that search failed
    loaded: 0,
    total: 0,
    totalExact: true,
  };

  function currentCriteria() {
    return {
      q: els.q.value.trim(),
      category: els.category.value,
      brand: els.brand.value,
    };
  }

  function criteriaKey({ q, category, brand }) {
    return JSON.stringify([q, category, brand]);
  }

  const scheduleSearch = debounce(() => runSearch(), DEBOUNCE_MS);

  /*
   * Searches for what the form shows now. Typing a space, or the router
   * re-entering the search view, yields the same key and costs no request.
   */
  function runSearch() {
    scheduleSearch.cancel();
    const criteria = currentCriteria();
    history.replaceState(history.state, '', searchUrl(criteria) + location.hash);
    if (els.articleView.hidden) document.title = criteria.q ? `${criteria.q} · ${DEFAULT_TITLE}` : DEFAULT_TITLE;

    const key = criteriaKey(criteria);
    if (key === search.key) return;
    search.key = key;
    search.criteria = criteria;

    if (!criteria.q) {
      // The API rejects an empty query, so filters alone show the intro.
      search.request.cancel();
      setLoading(false);
      showIntro();
      return;
    }
    fetchPage(0);
  }

  /* Pages the search on screen, even if the box has been edited since. */
  function loadMore() {
    if (search.criteria) fetchPage(search.loaded);
  }

  async function fetchPage(offset) {
    const criteria = search.criteria;
    const { signal, isCurrent } = search.request.start();
    setLoading(true);
    try {
      const { body: data, queryId } = await requestJSON('api/search', {
        q: criteria.q,
        category: criteria.category,
        brand: criteria.brand,
        limit: PAGE_SIZE,
        offset,
        client: CLIENT,
      }, signal);
      if (!isCurrent()) return;
      renderSearch(data, criteria, offset > 0, queryId);
    } catch (err) {
      if (!isCurrent() || err.name === 'AbortError') return;
      if (offset === 0) {
        // A failed new search must not leave the previous query's results up.
        search.key = null;
        clearResults();
      }
      showError(els.error, `搜索出错：${err.message}`);
    } finally {
      if (isCurrent()) setLoading(false);
    }
  }

  function setLoading(loading) {
    els.form.classList.toggle('is-loading', loading);
    els.results.setAttribute('aria-busy', String(loading));
    els.more.disabled = loading;
  }

  function showError(target, message) {
    target.textContent = message || '出错了，请稍后重试。';
    target.hidden = false;
  }

  function hideError(target) {
    target.hidden = true;
    target.textContent = '';
  }

  function clearResults() {
    search.loaded = 0;
    search.total = 0;
    els.hits.replaceChildren();
    els.status.textContent = '';
    els.more.hidden = true;
    els.corrected.hidden = true;
    hideFix();
    els.empty.hidden = true;
  }

  function showIntro() {
    hideError(els.error);
    clearResults();
    els.empty.hidden = false;
    els.empty.dataset.state = 'intro';
    els.intro.hidden = false;
    els.noResults.hidden = true;
  }

  function showNoResults(query) {
    els.empty.hidden = false;
    els.empty.dataset.state = 'no-results';
    els.intro.hidden = true;
    els.noResults.hidden = false;
    els.noResultsQuery.textContent = query;
  }

  /*
   * A page of results. `weak` (nothing reliable: an off-topic query) shows
   * "没有找到可靠答案" with the contact route instead of the hits; so does a
   * search with no hit and no card.
   */
  function renderSearch(data, criteria, append, queryId) {
    hideError(els.error);
    const hits = data.weak === true ? [] : asList(data.hits);
    const offset = search.loaded;
    if (!append) {
      clearResults();
      search.total = data.weak === true ? 0 : Number(data.total) || 0;
      search.totalExact = data.total_exact !== false;
      renderCorrected(data.corrected);
      renderFix(data.fix, hits, queryId);
      if (data.fix) loadAlternatives(criteria, data.fix);
    }
    search.loaded += hits.length;
    els.hits.append(...hits.map((hit, i) => renderHit(hit, offset + i + 1, queryId)));

    renderStatus(data);
    // An empty page means the total was stale; stop offering more.
    els.more.hidden = hits.length === 0 || search.loaded >= search.total;

    if (search.loaded === 0 && !data.fix) showNoResults(criteria.q);
  }

  function renderCorrected(corrected) {
    if (typeof corrected !== 'string' || !corrected) {
      els.corrected.hidden = true;
      return;
    }
    const strong = el('strong', null, corrected);
    els.corrected.replaceChildren('显示‘', strong, '’的结果');
    els.corrected.hidden = false;
  }

  function renderStatus(data) {
    if (search.total === 0) {
      els.status.textContent = '';
      return;
    }
    const took = formatMs(data.took_ms);
    // Past 1,000 matches the server stops counting: "1000+".
    let text = `共 ${search.total}${search.totalExact ? '' : '+'} 条结果`;
    if (search.loaded < search.total) text += `，已显示 ${search.loaded} 条`;
    if (took) text += `（用时 ${took} 毫秒）`;
    els.status.textContent = text;
  }

  function renderHit(hit, position, queryId) {
    const item = el('li', 'hit');
    item.dataset.id = hit.id;
    item.dataset.position = String(position);
    if (queryId) item.dataset.queryId = queryId;

    const heading = el('h3', 'hit-title');
    const link = el('a', null, hit.title || hit.id);
    link.href = articleHref(hit.id);
    heading.append(link);
    item.append(heading);

    if (hit.section) {
      const section = el('a', 'hit-section', `§ ${hit.section}`);
      section.href = articleHref(hit.id, hit.anchor);
      item.append(section);
    }

    if (hit.snippet) {
      const snippet = el('p', 'hit-snippet');
      snippet.innerHTML = hit.snippet; // server-made: escaped text + <mark> only
      item.append(snippet);
    }

    const badges = el('div', 'badges');
    if (hit.category) badges.append(badge(categoryLabel(hit.category), 'category'));
    for (const brand of asList(hit.brands)) badges.append(badge(brand, 'brand'));
    if (badges.childElementCount) item.append(badges);
    return item;
  }

  /* ------------------------------------------------------------------ */
  /* Fix card                                                            */
  /* ------------------------------------------------------------------ */

  function hideFix() {
    els.fix.hidden = true;
    delete els.fix.dataset.id;
    cardState.steps = [];
    cardState.request.cancel();
    els.fixAlternativesBlock.hidden = true;
  }

  const cardState = {
    steps: [], // the steps shown, for the copy button
    queryId: null, // the search the card came with, for the votes
    request: latestOnly(), // its alternatives, or another card
  };

  function fillList(list, items) {
    list.replaceChildren(...items.map((text) => el('li', null, text)));
  }

  function confidenceLevel(value) {
    if (value >= 0.75) return 'high';
    if (value >= 0.45) return 'mid';
    return 'low';
  }

  // Card texts keep their paragraphs: one <p> per line of the text.
  function fillParagraphs(el, text) {
    const paragraphs = String(text || '')
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => {
        const p = document.createElement('p');
        p.textContent = line;
        return p;
      });
    el.replaceChildren(...paragraphs);
  }

  /* A card (a search's featured fix, or another card chosen from "也可能是"). */
  function renderFix(card, hits, queryId) {
    if (!card) {
      hideFix();
      return;
    }
    cardState.queryId = queryId || null;
    showCard(card, hits);
  }

  function showCard(fix, hits) {
    els.fix.dataset.id = fix.id;
    $('fix-title').textContent = fix.title || '';
    fillParagraphs($('fix-summary'), fix.summary);

    const causes = asList(fix.causes);
    fillList($('fix-causes'), causes);
    $('fix-causes-block').hidden = causes.length === 0;

    cardState.steps = asList(fix.steps);
    fillList($('fix-steps'), cardState.steps);
    els.fixCopy.textContent = '复制步骤';
    els.fixCopy.classList.remove('is-done');
    els.fixCopy.hidden = cardState.steps.length === 0;

    fillParagraphs($('fix-escalation'), fix.escalation);
    $('fix-escalation-block').hidden = !fix.escalation;

    $('fix-codes').replaceChildren(...asList(fix.codes).map((code) => badge(`代码 ${code}`, 'code')));
    renderConfidence(fix.confidence);
    renderSources(asList(fix.sources), hits);
    els.fixVote.hidden = !config.feedback || !cardState.queryId;
    els.fixVoteThanks.hidden = true;
    for (const button of els.fixVote.querySelectorAll('button')) button.disabled = false;
    els.fix.hidden = false;
  }

  /* The steps as plain text, one numbered line each. */
  function stepsText() {
    return cardState.steps.map((step, i) => `${i + 1}. ${step}`).join('\n');
  }

  async function copySteps() {
    const text = stepsText();
    let copied = false;
    try {
      await navigator.clipboard.writeText(text);
      copied = true;
    } catch {
      // No clipboard API (an insecure origin): select and copy instead.
      const area = el('textarea', 'visually-hidden');
      area.value = text;
      document.body.append(area);
      area.select();
      try {
        copied = document.execCommand('copy');
      } catch {
        copied = false;
      }
      area.remove();
    }
    els.fixCopy.textContent = copied ? '已复制' : '复制失败，请手动选择';
    els.fixCopy.classList.toggle('is-done', copied);
  }

  function onVote(event) {
    const button = event.target.closest('button[data-helpful]');
    if (!button || !els.fix.dataset.id) return;
    sendFeedback(cardState.queryId, {
      kind: 'fix',
      id: els.fix.dataset.id,
      helpful: button.dataset.helpful === 'true',
    });
    for (const b of els.fixVote.querySelectorAll('button')) b.disabled = true;
    els.fixVoteThanks.hidden = false;
  }

  /* "也可能是": the answer's other cards that come close to this one. */
  async function loadAlternatives(criteria, shown) {
    const { signal, isCurrent } = cardState.request.start();
    try {
      const data = await getJSON('api/answer', { q: criteria.q, client: CLIENT }, signal);
      if (!isCurrent()) return;
      const floor = (typeof shown.confidence === 'number' ? shown.confidence : 1) - CLOSE_CONFIDENCE;
      const close = asList(data.alternatives)
        .filter((a) => a && a.id && a.id !== shown.id && typeof a.confidence === 'number' && a.confidence >= floor);
      renderAlternatives(close);
    } catch {
      // Alternatives are an extra.
    }
  }

  function renderAlternatives(alternatives) {
    const items = alternatives.map((alternative) => {
      const item = el('li');
      const button = el('button', 'fix-alternative', alternative.title || alternative.id);
      button.type = 'button';
      button.dataset.id = alternative.id;
      item.append(button);
      return item;
    });
    els.fixAlternatives.replaceChildren(...items);
    els.fixAlternativesBlock.hidden = items.length === 0;
  }

  /* Shows another card in place of the featured one. */
  async function onAlternative(event) {
    const button = event.target.closest('button[data-id]');
    if (!button) return;
    const { signal, isCurrent } = cardState.request.start();
    try {
      const card = await getJSON(`api/fixes/${encodeURIComponent(button.dataset.id)}`, null, signal);
      if (!isCurrent()) return;
      const alternatives = [...els.fixAlternatives.querySelectorAll('button')]
        .filter((b) => b.dataset.id !== card.id)
        .map((b) => ({ id: b.dataset.id, title: b.textContent }));
      alternatives.unshift({ id: els.fix.dataset.id, title: $('fix-title').textContent });
      showCard({ ...card, kind: 'fix', sources: [] }, []);
      renderAlternatives(alternatives);
    } catch (err) {
      if (isCurrent() && err.name !== 'AbortError') showError(els.error, `加载解决方案出错：${err.message}`);
    }
  }

  function renderConfidence(value) {
    const node = $('fix-confidence');
    node.className = 'confidence';
    if (typeof value !== 'number') {
      node.textContent = '';
      return;
    }
    const percent = Math.round(Math.min(Math.max(value, 0), 1) * 100);
    node.textContent = `匹配度 ${percent}%`;
    node.classList.add(`confidence--${confidenceLevel(value)}`);
  }

  /*
   * Sources name their section by title only. When the same section is among
   * the hits we know its anchor, so the link can land on it directly.
   */
  function renderSources(sources, hits) {
    const anchors = new Map(hits.map((h) => [`${h.id}\u0000${h.section}`, h.anchor]));
    const items = sources.map((source) => {
      const item = el('li');
      const label = source.section ? `${source.title || source.id} · ${source.section}` : (source.title || source.id);
      const link = el('a', null, label);
      link.href = articleHref(source.id, anchors.get(`${source.id}\u0000${source.section}`));
      item.append(link);
      return item;
    });
    $('fix-sources').replaceChildren(...items);
    $('fix-sources-block').hidden = items.length === 0;
  }

  /* ------------------------------------------------------------------ */
  /* Facets                                                              */
  /* ------------------------------------------------------------------ */

  async function loadFacets() {
    try {
      const data = await getJSON('api/facets');
      fillSelect(els.category, asList(data.categories), categoryLabel);
      fillSelect(els.brand, asList(data.brands), (name) => name);
    } catch {
      // Filters are an extra: without facets the search still works.
    }
    updateFiltersVisibility();
  }

  /* Only appends or relabels options, so the reader's current choice survives. */
  function fillSelect(select, facets, label) {
    for (const facet of facets) {
      if (!facet || !facet.name) continue;
      const text = typeof facet.count === 'number' ? `${label(facet.name)}（${facet.count}）` : label(facet.name);
      const existing = findOption(select, facet.name);
      if (existing) existing.text = text;
      else select.append(new Option(text, facet.name));
    }
  }

  function findOption(select, value) {
    return [...select.options].find((option) => option.value === value);
  }

  /*
   * A filter that came in through the URL stays selectable even when the facet
   * list lacks it (or failed to load), so the reader can see it and clear it.
   */
  function setFilter(select, value, text) {
    if (value && !findOption(select, value)) select.append(new Option(text, value));
    select.value = value;
  }

  function updateFiltersVisibility() {
    els.filters.hidden = els.category.options.length <= 1 && els.brand.options.length <= 1;
  }

  /* ------------------------------------------------------------------ */
  /* Suggestions (ARIA 1.2 combobox + listbox)                            */
  /* ------------------------------------------------------------------ */

  const suggest = {
    request: latestOnly(),
    items: [],
    active: -1,
  };

  const scheduleSuggest = debounce(() => fetchSuggestions(), DEBOUNCE_MS);

  async function fetchSuggestions() {
    const q = els.q.value.trim();
    if (!q) {
      suggest.request.cancel();
      closeSuggestions();
      return;
    }
    const { signal, isCurrent } = suggest.request.start();
    try {
      const data = await getJSON('api/suggest', { q, limit: SUGGESTIONS, client: CLIENT }, signal);
      if (!isCurrent()) return;
      renderSuggestions(asList(data.suggestions).filter((s) => s && s.text), q);
    } catch {
      // Suggestions are optional; a failure should not interrupt typing.
      if (isCurrent()) closeSuggestions();
    }
  }

  function renderSuggestions(items, q) {
    suggest.items = items;
    suggest.active = -1;
    els.q.removeAttribute('aria-activedescendant');
    els.suggestions.replaceChildren(...items.map((item, index) => renderSuggestion(item, index, q)));
    if (items.length && document.activeElement === els.q) openSuggestions();
    else closeSuggestions();
  }

  function renderSuggestion(item, index, q) {
    const option = el('li', 'suggestion');
    option.id = `suggestion-${index}`;
    option.setAttribute('role', 'option');
    option.setAttribute('aria-selected', 'false');
    option.dataset.index = String(index);
    option.dataset.kind = item.kind || '';

    const text = el('span', 'suggestion-text');
    appendHighlighted(text, item.text, q);
    option.append(text);

    const kind = SUGGESTION_KIND_LABELS[item.kind];
    if (kind) option.append(el('span', 'suggestion-kind', kind));
    return option;
  }

  /* Marks the typed text inside a suggestion, built from text nodes (no HTML). */
  function appendHighlighted(parent, text, q) {
    const at = q ? text.toLowerCase().indexOf(q.toLowerCase()) : -1;
    if (at < 0) {
      parent.textContent = text;
      return;
    }
    parent.append(text.slice(0, at), el('mark', null, text.slice(at, at + q.length)), text.slice(at + q.length));
  }

  function suggestionsOpen() {
    return !els.suggestions.hidden;
  }

  function openSuggestions() {
    els.suggestions.hidden = false;
    els.q.setAttribute('aria-expanded', 'true');
  }

  function closeSuggestions() {
    els.suggestions.hidden = true;
    els.q.setAttribute('aria-expanded', 'false');
    els.q.removeAttribute('aria-activedescendant');
    setActiveSuggestion(-1);
  }

  function setActiveSuggestion(index) {
    suggest.active = index;
    for (const option of els.suggestions.children) {
      const selected = Number(option.dataset.index) === index;
      option.classList.toggle('is-active', selected);
      option.setAttribute('aria-selected', String(selected));
      if (selected) {
        els.q.setAttribute('aria-activedescendant', option.id);
        option.scrollIntoView({ block: 'nearest' });
      }
    }
    if (index < 0) els.q.removeAttribute('aria-activedescendant');
  }

  function moveActiveSuggestion(step) {
    const count = suggest.items.length;
    if (!count) return;
    if (!suggestionsOpen()) {
      openSuggestions();
      setActiveSuggestion(step > 0 ? 0 : count - 1);
      return;
    }
    // Wrap around, passing through "nothing selected" (-1) like native pickers.
    let next = suggest.active + step;
    if (next >= count) next = -1;
    else if (next < -1) next = count - 1;
    setActiveSuggestion(next);
  }

  function pickSuggestion(index) {
    const item = suggest.items[index];
    if (!item) return;
    els.q.value = item.text;
    // A late answer for the half-typed text must not reopen the list.
    suggest.request.cancel();
    scheduleSuggest.cancel();
    suggest.items = [];
    els.suggestions.replaceChildren();
    closeSuggestions();
    runSearch();
  }

  /* ------------------------------------------------------------------ */
  /* Article view                                                        */
  /* ------------------------------------------------------------------ */

  const article = {
    request: latestOnly(),
    id: null, // id of the article rendered (or being rendered)
    ready: false,
    query: '', // the search the reader came from: its words are highlighted
  };

  let searchScrollY = 0;

  async function openArticle(id, anchor) {
    if (!els.articleView.hidden && article.id === id && article.ready) {
      scrollToAnchor(anchor);
      return;
    }
    if (els.articleView.hidden) searchScrollY = window.scrollY;
    closeSuggestions();
    els.searchView.hidden = true;
    els.articleView.hidden = false;
    const criteria = readSearchParams();
    article.query = criteria.q;
    els.back.href = searchUrl(criteria);
    els.back.textContent = criteria.q ? '← 返回搜索结果' : '← 返回搜索';

    article.id = id;
    article.ready = false;
    const { signal, isCurrent } = article.request.start();
    hideError(els.articleError);
    els.article.hidden = true;
    els.articleView.setAttribute('aria-busy', 'true');
    try {
      const data = await getJSON(`api/articles/${encodeURIComponent(id)}`, { q: article.query }, signal);
      if (!isCurrent()) return;
      renderArticle(data);
      article.ready = true;
      scrollToAnchor(anchor);
    } catch (err) {
      if (!isCurrent() || err.name === 'AbortError') return;
      document.title = DEFAULT_TITLE;
      showError(els.articleError, err.status === 404 ? `找不到这篇文章（${id}）。` : `文章加载出错：${err.message}`);
      window.scrollTo(0, 0);
    } finally {
      if (isCurrent()) els.articleView.setAttribute('aria-busy', 'false');
    }
  }

  function renderArticle(data) {
    const id = data.id;
    els.article.dataset.id = id;
    els.articleTitle.textContent = data.title || id;
    document.title = `${data.title || id} · ${DEFAULT_TITLE}`;

    const badges = [];
    if (data.category) badges.push(badge(categoryLabel(data.category), 'category'));
    for (const brand of asList(data.brands)) badges.push(badge(brand, 'brand'));
    for (const code of asList(data.codes)) badges.push(badge(`代码 ${code}`, 'code'));
    for (const tag of asList(data.tags)) badges.push(badge(tag, 'tag'));
    els.articleBadges.replaceChildren(...badges);

    // `source` names the file an article was imported from: internal, not shown.
    const meta = [];
    if (data.updated) meta.push(`更新于 ${data.updated}`);
    els.articleMeta.textContent = meta.join(' · ');
    els.articleMeta.hidden = meta.length === 0;

    renderToc(id, asList(data.sections));
    els.articleBody.innerHTML = typeof data.html === 'string' ? data.html : ''; // server-sanitized
    highlight(els.articleBody, asList(data.highlights));
    linkHeadings(id);
    els.article.hidden = false;
  }

  /*
   * Marks the query's words (as the server matched them: normalized, so
   * compared case-insensitively) in the article's text nodes, longest
   * first. Only text nodes are split: no markup is parsed or made from text.
   */
  function highlight(root, words) {
    const terms = words.filter((w) => typeof w === 'string' && w.trim()).sort((a, b) => b.length - a.length);
    if (!terms.length) return;
    const escape = (w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(terms.map(escape).join('|'), 'gi');
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    for (const node of nodes) {
      const text = node.nodeValue;
      pattern.lastIndex = 0;
      if (!pattern.test(text)) continue;
      pattern.lastIndex = 0;
      const parts = [];
      let last = 0;
      for (const match of text.matchAll(pattern)) {
        if (match.index > last) parts.push(text.slice(last, match.index));
        parts.push(el('mark', 'query-mark', match[0]));
        last = match.index + match[0].length;
      }
      if (last < text.length) parts.push(text.slice(last));
      node.replaceWith(...parts);
    }
  }

  function renderToc(id, sections) {
    const items = sections
      .filter((s) => s && s.title && s.anchor)
      .map((s) => {
        const item = el('li');
        const link = el('a', null, s.title);
        link.href = articleHref(id, s.anchor);
        item.append(link);
        return item;
      });
    els.articleTocList.replaceChildren(...items);
    $('article-toc-title').textContent = `本文目录（${items.length} 节）`;
    els.articleToc.hidden = items.length < 2;
  }

  /*
   * The article's own anchors are plain fragments (#s-3), but the fragment is
   * our router. Rewrite them into article routes and give every heading a
   * copyable link to itself.
   */
  function linkHeadings(id) {
    for (const link of els.articleBody.querySelectorAll('a[href^="#"]')) {
      const target = link.getAttribute('href').slice(1);
      if (target && !target.startsWith('/')) link.setAttribute('href', articleHref(id, target));
    }
    for (const heading of els.articleBody.querySelectorAll('h1[id], h2[id], h3[id], h4[id], h5[id], h6[id]')) {
      const link = el('a', 'heading-anchor', '#');
      link.href = articleHref(id, heading.id);
      link.setAttribute('aria-label', `链接到“${heading.textContent.trim()}”`);
      heading.append(link);
    }
  }

  function scrollToAnchor(anchor) {
    for (const old of els.articleBody.querySelectorAll('.is-target')) old.classList.remove('is-target');
    const target = anchor ? els.articleBody.querySelector(`#${CSS.escape(anchor)}`) : null;
    if (!target) {
      window.scrollTo(0, 0);
      els.articleTitle.focus({ preventScroll: true });
      return;
    }
    target.classList.add('is-target');
    target.scrollIntoView({ block: 'start' });
    // Move keyboard and screen-reader focus to the section too.
    if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
    target.focus({ preventScroll: true });
  }

  function showSearchView() {
    article.request.cancel();
    article.id = null;
    article.ready = false;
    const wasHidden = els.searchView.hidden;
    els.articleView.hidden = true;
    els.searchView.hidden = false;
    const criteria = readSearchParams();
    els.q.value = criteria.q;
    setFilter(els.category, criteria.category, categoryLabel(criteria.category));
    setFilter(els.brand, criteria.brand, criteria.brand);
    updateFiltersVisibility();
    runSearch();
    if (wasHidden) window.scrollTo(0, searchScrollY);
  }

  /* ------------------------------------------------------------------ */
  /* Routing                                                             */
  /* ------------------------------------------------------------------ */

  function route() {
    const target = parseArticleRoute(location.hash);
    if (target) openArticle(target.id, target.anchor);
    else showSearchView();
  }

  /*
   * Article links are plain fragment links, so the browser creates the history
   * entry. Tag the entry when it was entered from the results: the back link
   * can then use history.back(), which restores the results exactly.
   */
  function onHashChange(event) {
    const fromSearch = !parseArticleRoute(new URL(event.oldURL).hash);
    if (parseArticleRoute(location.hash) && fromSearch && !history.state) {
      history.replaceState({ fromSearch: true }, '');
    }
    route();
  }

  function onBackClick(event) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    if (history.state && history.state.fromSearch) {
      history.back();
    } else {
      history.pushState(null, '', els.back.getAttribute('href'));
      route();
    }
  }

  /* ------------------------------------------------------------------ */
  /* Wiring                                                              */
  /* ------------------------------------------------------------------ */

  function onInput(event) {
    // While an IME is composing, the field holds pinyin ("la ka"), not the query.
    if (event.isComposing) return;
    scheduleSearch();
    scheduleSuggest();
  }

  function onKeyDown(event) {
    if (event.isComposing || event.keyCode === 229) return; // IME owns these keys
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        moveActiveSuggestion(1);
        break;
      case 'ArrowUp':
        event.preventDefault();
        moveActiveSuggestion(-1);
        break;
      case 'Enter':
        if (suggestionsOpen() && suggest.active >= 0) {
          event.preventDefault();
          pickSuggestion(suggest.active);
        }
        break; // otherwise the form submits
      case 'Escape':
        if (suggestionsOpen()) {
          event.preventDefault(); // keep the text: Escape on type=search would clear it
          closeSuggestions();
        }
        break;
      case 'Tab':
        closeSuggestions();
        break;
      default:
        break;
    }
  }

  function onSubmit(event) {
    event.preventDefault();
    closeSuggestions();
    scheduleSuggest.cancel();
    suggest.request.cancel();
    runSearch();
  }

  function onExampleClick(event) {
    const link = event.target.closest('a.example');
    if (!link) return;
    event.preventDefault();
    els.q.value = link.textContent;
    runSearch();
  }

  /* A click on a result's title or section: feedback with its position. */
  function onHitClick(event) {
    const link = event.target.closest('a');
    const item = link && link.closest('li.hit');
    if (!item) return;
    sendFeedback(item.dataset.queryId, {
      kind: 'article',
      id: item.dataset.id,
      clicked: true,
      position: Number(item.dataset.position),
    });
  }

  function wire() {
    els.form.addEventListener('submit', onSubmit);
    els.q.addEventListener('input', onInput);
    els.q.addEventListener('compositionend', onInput);
    els.q.addEventListener('keydown', onKeyDown);
    els.q.addEventListener('blur', closeSuggestions);
    els.q.addEventListener('focus', () => {
      if (suggest.items.length && els.q.value.trim()) openSuggestions();
    });
    // mousedown would blur the input and close the list before the click lands.
    els.suggestions.addEventListener('mousedown', (event) => event.preventDefault());
    els.suggestions.addEventListener('click', (event) => {
      const option = event.target.closest('[role="option"]');
      if (option) pickSuggestion(Number(option.dataset.index));
    });
    els.category.addEventListener('change', () => runSearch());
    els.brand.addEventListener('change', () => runSearch());
    els.more.addEventListener('click', loadMore);
    els.fixCopy.addEventListener('click', copySteps);
    els.fixVote.addEventListener('click', onVote);
    els.fixAlternatives.addEventListener('click', onAlternative);
    els.hits.addEventListener('click', onHitClick);
    els.empty.addEventListener('click', onExampleClick);
    els.back.addEventListener('click', onBackClick);
    // The fragment is the router, so the skip link moves focus instead of navigating.
    document.querySelector('.skip-link').addEventListener('click', (event) => {
      event.preventDefault();
      $('main').focus();
    });
    window.addEventListener('hashchange', onHashChange);
    // Back/forward between two search URLs changes no fragment, so only popstate sees it.
    window.addEventListener('popstate', () => {
      if (!parseArticleRoute(location.hash)) route();
    });
  }

  function init() {
    // We restore the results' scroll position ourselves when leaving an article.
    if ('scrollRestoration' in history) history.scrollRestoration = 'manual';
    migrateArticleParam();
    wire();
    loadFacets();
    loadConfig();
    route();
  }

  init();
})();
