// Search client, part 5 of 5: the page side. The search box's dropdown (a combobox with keyboard
// navigation and a live result count), the search page (search.html?q=), and the marks on a
// page reached from a result (?hl=terms). Everything from the index or the query reaches the
// page as text nodes, never as markup.
// This script is loaded on demand by the page script (guidesmith.js), which also owns the "/"
// key: when the reader first focuses the box, on the search page, or with ?hl= in the URL.

// Wait after the last keystroke before searching.
var DEBOUNCE_MS = 80;
var MAX_PAGES_DROPDOWN = 8;
var MAX_PAGES_SEARCH_PAGE = 50;
var TEXT_LOAD_FAILED = '搜索索引加载失败';
var TEXT_NOTHING_FOUND = '没有找到相关内容';
var TEXT_RESULTS_LABEL = '搜索结果';
var TEXT_ALL_RESULTS = '查看全部结果';
var BREADCRUMB_SHOWN_SEPARATOR = ' › ';
// Text never marked on arrival: inside these elements.
var RE_UNMARKED_PARENT = /^(SCRIPT|STYLE|MARK|TEXTAREA|NOSCRIPT)$/;

var TEXT_ALSO = '另见：';
var TEXT_ALSO_SEPARATOR = '、';

function countText(pages) {
  return '找到 ' + pages + ' 个结果';
}

// The dropdown's note on folded repeats (its options hold no links of their own).
function alsoCountText(count) {
  return '另见 ' + count + ' 个页面';
}

function element(tag, className, text) {
  var e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function clear(box) {
  while (box.firstChild) box.removeChild(box.firstChild);
}

function appendSnippet(parent, segments) {
  segments.forEach((s) => {
    parent.appendChild(s[1] ? element('mark', '', s[0]) : document.createTextNode(s[0]));
  });
}

// A result's link: the page, the terms to mark there, the section.
function resultHref(rootPath, result, terms) {
  var href = rootPath + result.page;
  if (terms.length) href += '?hl=' + encodeURIComponent(terms.join(' '));
  if (result.anchor) href += '#' + encodeURIComponent(result.anchor);
  return href;
}

// The search page's line under a result whose repeats were folded: 另见：page、page….
function alsoLinks(rootPath, result, terms) {
  var line = element('p', 'gs-also', TEXT_ALSO);
  result.also.forEach((other, i) => {
    if (i) line.appendChild(document.createTextNode(TEXT_ALSO_SEPARATOR));
    var link = element('a', '', other.pageTitle);
    link.href = resultHref(rootPath, other, terms);
    line.appendChild(link);
  });
  return line;
}

// Marks the words in the text under `container` (<mark class="gs-hl">); returns the count.
function highlightIn(container, words) {
  var needleList = needles(words, normalize(container.textContent));
  if (!needleList.length) return 0;
  var walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => {
      var parent = node.parentNode && node.parentNode.nodeName;
      return RE_UNMARKED_PARENT.test(parent) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
    }
  });
  var nodes = [];
  var node;
  while ((node = walker.nextNode())) nodes.push(node);
  var count = 0;
  nodes.forEach((textNode) => {
    var view = normalizedView(textNode.nodeValue);
    var marks = spans(view, needleList);
    if (!marks.length) return;
    var fragment = document.createDocumentFragment();
    var at = 0;
    marks.forEach((x) => {
      if (x[0] > at) fragment.appendChild(document.createTextNode(view.chars.slice(at, x[0]).join('')));
      fragment.appendChild(element('mark', 'gs-hl', view.chars.slice(x[0], x[1]).join('')));
      at = x[1];
      count++;
    });
    if (at < view.chars.length) fragment.appendChild(document.createTextNode(view.chars.slice(at).join('')));
    textNode.parentNode.replaceChild(fragment, textNode);
  });
  return count;
}

function startUi() {
  var input = document.getElementById('gs-q');
  var dropdown = document.getElementById('gs-results');
  var pageBox = document.getElementById('gs-search-page');
  var params = new URLSearchParams(location.search);
  var arrivedWith = params.get('hl');
  if (arrivedWith) {
    highlightIn(document.querySelector('main') || document.body, arrivedWith.split(/\s+/).filter(Boolean).slice(0, MAX_HIGHLIGHT_TERMS));
  }
  if (!input) return;
  GS.setEntry(input.getAttribute('data-index') || '');
  var rootPath = input.getAttribute('data-root') || '';
  var status = element('div', 'gs-status visually-hidden');
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  (input.form || input.parentNode).appendChild(status);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  if (dropdown) input.setAttribute('aria-controls', dropdown.id);
  var timer = 0;
  // Number of the latest query: older answers arriving late are dropped.
  var latest = 0;
  var active = -1;
  var links = [];
  var started = false;

  function say(text) {
    status.textContent = text;
  }
  // Loads the index (once).
  function start() {
    if (started) return;
    started = true;
    GS.ready(() => { if (GS.failed) say(TEXT_LOAD_FAILED); });
  }
  function close() {
    if (!dropdown) return;
    dropdown.hidden = true;
    active = -1;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  }
  function setActive(index) {
    links.forEach((a, k) => {
      a.parentNode.classList.toggle('gs-active', k === index);
      if (a.getAttribute('role') === 'option') a.setAttribute('aria-selected', k === index ? 'true' : 'false');
    });
    active = index;
    var option = index >= 0 && links[index] && links[index].getAttribute('role') === 'option';
    if (option) input.setAttribute('aria-activedescendant', links[index].id);
    else input.removeAttribute('aria-activedescendant');
    if (index >= 0 && links[index]) links[index].parentNode.scrollIntoView({ block: 'nearest' });
  }
  function render(box, results, query, fullPage) {
    clear(box);
    links = [];
    active = -1;
    var pageCount = 0;
    var lastPage = null;
    results.forEach((r) => {
      if (r.page !== lastPage) {
        pageCount++;
        lastPage = r.page;
      }
    });
    var message = results.length ? countText(pageCount) : TEXT_NOTHING_FOUND;
    say(message);
    if (fullPage) box.appendChild(element('p', 'gs-count', message));
    (results.labels || []).forEach((label) => { box.appendChild(element('p', 'gs-label', label)); });
    if (!results.length) {
      if (!fullPage) box.appendChild(element('p', 'gs-empty', TEXT_NOTHING_FOUND));
      return;
    }
    // The dropdown is the search box's listbox (arrow keys, aria-activedescendant); the search
    // page is a plain list of links that Tab reaches one by one.
    var list = element('ul', 'gs-list');
    if (!fullPage) list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', TEXT_RESULTS_LABEL);
    var presentation = (el) => { if (!fullPage) el.setAttribute('role', 'presentation'); };
    var hitList = null;
    var page = null;
    var optionNumber = 0;
    results.forEach((r) => {
      if (r.page !== page) {
        page = r.page;
        var pageItem = element('li', 'gs-page');
        presentation(pageItem);
        pageItem.appendChild(element('div', 'gs-page-title', r.pageTitle));
        hitList = element('ul', 'gs-hits');
        presentation(hitList);
        pageItem.appendChild(hitList);
        list.appendChild(pageItem);
      }
      // The link itself is the option: an option holding a focusable link would nest one
      // interactive control in another.
      var item = element('li', 'gs-hit');
      presentation(item);
      var link = element('a');
      link.id = 'gs-opt-' + (fullPage ? 'p' : 'd') + optionNumber++;
      if (!fullPage) {
        link.setAttribute('role', 'option');
        link.setAttribute('aria-selected', 'false');
        link.tabIndex = -1;
      }
      link.href = resultHref(rootPath, r, results.terms || []);
      link.appendChild(element('span', 'gs-heading', r.heading || r.pageTitle));
      if (r.breadcrumb && r.breadcrumb.length) link.appendChild(element('span', 'gs-crumb', r.breadcrumb.join(BREADCRUMB_SHOWN_SEPARATOR)));
      var snippetText = element('span', 'gs-snippet');
      appendSnippet(snippetText, r.snippet);
      link.appendChild(snippetText);
      if (r.also.length && !fullPage) link.appendChild(element('span', 'gs-also', alsoCountText(r.also.length)));
      item.appendChild(link);
      if (r.also.length && fullPage) item.appendChild(alsoLinks(rootPath, r, results.terms || []));
      hitList.appendChild(item);
      links.push(link);
    });
    box.appendChild(list);
    if (!fullPage) {
      var more = element('a', 'gs-more', TEXT_ALL_RESULTS);
      more.href = rootPath + 'search.html?q=' + encodeURIComponent(query);
      box.appendChild(more);
    }
  }
  function run() {
    var query = input.value.trim();
    var mine = ++latest;
    if (!query) {
      close();
      say('');
      if (pageBox) clear(pageBox);
      return;
    }
    GS.query(query, pageBox ? MAX_PAGES_SEARCH_PAGE : MAX_PAGES_DROPDOWN, (results) => {
      if (mine !== latest || !results) return;
      if (pageBox) {
        render(pageBox, results, query, true);
        if (history.replaceState) history.replaceState(null, '', '?q=' + encodeURIComponent(query));
      } else if (dropdown) {
        render(dropdown, results, query, false);
        dropdown.hidden = false;
        input.setAttribute('aria-expanded', 'true');
      }
    });
  }
  input.addEventListener('focus', start);
  input.addEventListener('input', () => {
    start();
    clearTimeout(timer);
    timer = setTimeout(run, DEBOUNCE_MS);
  });
  input.addEventListener('keydown', (e) => {
    start();
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!links.length) return;
      e.preventDefault();
      var next = active + (e.key === 'ArrowDown' ? 1 : -1);
      setActive(next < 0 ? links.length - 1 : next >= links.length ? 0 : next);
    } else if (e.key === 'Enter') {
      if (active >= 0 && links[active]) {
        e.preventDefault();
        location.href = links[active].href;
      }
    } else if (e.key === 'Escape') {
      if (dropdown && !dropdown.hidden) {
        e.preventDefault();
        close();
      } else {
        input.blur();
      }
    }
  });
  document.addEventListener('click', (e) => {
    if (dropdown && !dropdown.contains(e.target) && e.target !== input) close();
  });
  var pageQuery = pageBox ? params.get('q') || '' : '';
  if (pageQuery) {
    input.value = pageQuery;
    start();
    run();
  } else if (document.activeElement === input) {
    // Loaded because the reader is in the box: what they typed meanwhile is searched now.
    start();
    if (input.value.trim()) run();
  }
}

if (HAS_DOM) {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', startUi);
  else startUi();
}
