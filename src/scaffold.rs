//! `guidesmith init`: the starter guide — guide.yaml, a home page, one chapter that shows the
//! Markdown the tool adds (a callout, a phrase box, an embedded checklist) and one checklist —
//! written into a new folder. It passes `check` as written, so a new author starts from a
//! working site and edits from there.
//!
//! Must never: overwrite or touch an existing file (the folder must be new or empty).

use std::collections::BTreeMap;
use std::path::Path;

const HOME: &str = "---
title: 首页
description: 这份指南写给谁、能帮读者做什么（一两句话，会出现在搜索结果和分享卡片里）
---

欢迎。从[第一章](chapters/intro.md)开始读。
";

const INTRO: &str = "---
title: 第一章
summary:
  - 本章要点写在这里，每条一句话
checklists:
  - example
---

这是第一章。每章是一个 Markdown 文件，放在 `chapters/` 下，并在 `guide.yaml` 的 `nav:` 里列出。

## 一个小节

正文写在这里。链接到其他章节时写 `.md` 文件的相对路径，`guidesmith check` 会检查它是否存在。

> [!NOTE]
> 提示框这样写（NOTE、TIP、IMPORTANT、WARNING、CAUTION）。

```say
读者可以照着说的话放在 say 代码块里，页面上会有一个复制按钮。
```

下面嵌入了一张清单：

```checklist
example
```
";

const CHECKLIST: &str = "id: example
title: 示例清单
purpose: 说明这张清单什么时候用（打印出来是一页 A4 表格）。
chapter: chapters/intro.md
sections:
  - title: 准备
    items:
      - id: item
        check: 可以勾选的一项
        note: 补充说明写在 note 里
      - id: who
        field: 需要填写的一项
";

/// The starter guide's files, guide-relative.
pub fn files(today: &str) -> BTreeMap<String, Vec<u8>> {
    let config = format!(
        "title: 我的指南
description: 一句话说明这份指南
updated: {today}
notice: 本指南提供一般性信息，不构成法律意见。
nav:
  - title: 第一部分
    chapters:
      - chapters/intro.md
"
    );
    let mut out = BTreeMap::new();
    out.insert("guide.yaml".to_owned(), config.into_bytes());
    out.insert("index.md".to_owned(), HOME.as_bytes().to_vec());
    out.insert("chapters/intro.md".to_owned(), INTRO.as_bytes().to_vec());
    out.insert(
        "checklists/example.yaml".to_owned(),
        CHECKLIST.as_bytes().to_vec(),
    );
    out
}

/// Writes the starter guide into `out` (new or empty folder only).
pub fn init(out: &Path) -> Result<usize, String> {
    let files = files(&crate::import::today());
    crate::import::write(out, &files)?;
    Ok(files.len())
}
