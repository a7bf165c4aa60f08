#!/usr/bin/env python3
"""Converts a `gen_corpus.py --format neutral` corpus into a guidesmith guide, in place.

    bench/neutral_to_guidesmith.py DIR

The neutral layout is DIR/guide/chapters/NNNN-slug.md (front matter `title`, `order`) and
DIR/guide/checklists/*.yaml (title, description, sections of {text, note}). guidesmith needs:
guide/guide.yaml with a nav listing every chapter, chapter front matter `title` + `description`
(no `order`), and checklists with id/title/purpose/chapter and items {id, check, note}.
Python 3 standard library only; deterministic.
"""

import json
import os
import re
import sys


def quote(s):
    return json.dumps(s, ensure_ascii=False)


def main():
    root = sys.argv[1]
    guide = os.path.join(root, "guide")
    chapters_dir = os.path.join(guide, "chapters")
    chapters = sorted(f for f in os.listdir(chapters_dir) if f.endswith(".md"))
    for name in chapters:
        path = os.path.join(chapters_dir, name)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        m = re.match(r"---\n(.*?)\n---\n", text, re.S)
        if not m:
            sys.exit("%s: no front matter" % path)
        title = re.search(r"^title: (.*)$", m.group(1), re.M).group(1)
        front = "---\ntitle: %s\ndescription: %s\n---\n" % (title, quote("本章讲解" + json.loads(title)))
        with open(path, "w", encoding="utf-8") as f:
            f.write(front + text[m.end():])

    lists_dir = os.path.join(guide, "checklists")
    first = "chapters/" + chapters[0]
    for name in sorted(os.listdir(lists_dir)) if os.path.isdir(lists_dir) else []:
        if not name.endswith(".yaml"):
            continue
        path = os.path.join(lists_dir, name)
        meta, sections = {}, []
        for line in open(path, encoding="utf-8").read().splitlines():
            t = line.strip()
            if line.startswith(("title: ", "description: ")):
                k, v = line.split(": ", 1)
                meta[k] = v
            elif t.startswith("- title: "):
                sections.append((t[len("- title: "):], []))
            elif t.startswith("- text: "):
                sections[-1][1].append([t[len("- text: "):], None])
            elif t.startswith("note: "):
                sections[-1][1][-1][1] = t[len("note: "):]
        # Keep each checklist within guidesmith's one-A4-page budget: 3 sections × 4 items.
        out = ["id: %s" % name[:-5], "title: " + meta["title"], "purpose: " + meta["description"],
               "chapter: " + first, "sections:"]
        n = 0
        for title, items in sections[:3]:
            out += ["  - title: " + title, "    items:"]
            for text, note in items[:4]:
                n += 1
                out += ["      - id: i%d" % n, "        check: " + text]
                if note:
                    out.append("        note: " + note)
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(out) + "\n")

    # The first chapter uses every checklist, so none is reported as an orphan.
    ids = sorted(n[:-5] for n in os.listdir(lists_dir) if n.endswith(".yaml")) if os.path.isdir(lists_dir) else []
    if ids:
        path = os.path.join(chapters_dir, chapters[0])
        with open(path, encoding="utf-8") as f:
            text = f.read()
        text = text.replace("\n---\n", "\nchecklists: [%s]\n---\n" % ", ".join(ids), 1)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    with open(os.path.join(guide, "guide.yaml"), "w", encoding="utf-8") as f:
        f.write("title: 基准测试指南\ndescription: 合成语料。\nupdated: 2026-01-01\n")
        f.write("notice: 本指南提供一般性信息，不构成法律意见。\nnav:\n")
        per_part = 100
        for start in range(0, len(chapters), per_part):
            f.write("  - title: %s\n    chapters:\n" % quote("第%d部分" % (start // per_part + 1)))
            for name in chapters[start:start + per_part]:
                f.write("      - chapters/%s\n" % name)


if __name__ == "__main__":
    main()
