# internal_links.py - check that every internal <a href> in the given pages resolves to an existing file and anchor id.
# usage: python3 bench/internal_links.py SITE_ROOT PAGE... (PAGE relative to SITE_ROOT); prints each broken link and a total
import sys, os, re, html
from html.parser import HTMLParser
from urllib.parse import urlsplit, unquote
root = sys.argv[1]
class P(HTMLParser):
    def __init__(s): super().__init__(); s.hrefs=[]; s.ids=set()
    def handle_starttag(s, t, a):
        a = dict(a)
        if a.get('id'): s.ids.add(a['id'])
        if t == 'a' and a.get('name'): s.ids.add(a['name'])
        if t == 'a' and a.get('href') is not None: s.hrefs.append(a['href'])
cache = {}
def parse(f):
    if f not in cache:
        p = P(); p.feed(open(f, encoding='utf-8').read()); cache[f] = p
    return cache[f]
total = bad = 0
for page in sys.argv[2:]:
    pf = os.path.join(root, page)
    for h in parse(pf).hrefs:
        u = urlsplit(h)
        if u.scheme or u.netloc or h.startswith('mailto:') or h.startswith('javascript:'): continue
        total += 1
        path = unquote(u.path)
        if path == '': target = pf
        elif path.startswith('/'): target = os.path.join(root, path.lstrip('/'))
        else: target = os.path.normpath(os.path.join(os.path.dirname(pf), path))
        if os.path.isdir(target): target = os.path.join(target, 'index.html')
        if not os.path.isfile(target):
            bad += 1; print(f"MISSING FILE {page}: {h}"); continue
        if u.fragment and target.endswith('.html'):
            if unquote(u.fragment) not in parse(target).ids:
                bad += 1; print(f"MISSING ANCHOR {page}: {h}")
print(f"{root}: {total} internal links checked, {bad} broken")
