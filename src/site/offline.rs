//! Offline support: the generated service worker (`sw.js`, from `sw.js` beside this file) and
//! the guide's web app manifest. Everything here derives from the finished `Site`, so it stays
//! deterministic and needs no other input than the guide's own settings.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::{Blob, Digests, Site};
use crate::digest::digest;

/// The generated `sw.js` and the guide's `static/manifest.webmanifest`.
///
/// `sw.js` sits at the site root (its scope is the whole guide) and precaches every file of
/// this build under one cache named after a hash of all file names and contents: a new build is
/// a new cache, installed completely before it can take over, so pages and assets of two builds
/// are never mixed. The theme's manifest gets the guide's own name, description and language.
///
/// `digests` (rebuilds only) remembers each file's digest while its bytes stay the same shared
/// allocation, so a rebuild hashes only the files that changed. Also returns the digest of
/// every file it listed, for `output::write`.
pub fn offline_files(
    site: &Site,
    cfg: &crate::config::GuideConfig,
    mut digests: Option<&mut HashMap<String, (Blob, u64)>>,
) -> (Vec<(String, Vec<u8>)>, Digests) {
    const MANIFEST: &str = "static/manifest.webmanifest";
    let mut out = Vec::new();
    let manifest = site.files.get(MANIFEST).map(|bytes| {
        let mut m: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(bytes).unwrap_or_default();
        let s = |v: &str| serde_json::Value::String(v.to_owned());
        m.insert("name".into(), s(&cfg.title));
        m.entry("short_name").or_insert_with(|| s(&cfg.title));
        m.insert("description".into(), s(&cfg.description));
        m.insert("lang".into(), s(&cfg.language));
        // Relative to the manifest's own URL, so any sub-path works.
        m.insert("start_url".into(), s("../index.html"));
        m.insert("scope".into(), s("../"));
        let mut b = serde_json::to_vec_pretty(&m).unwrap_or_default();
        b.push(b'\n');
        b
    });
    let mut precache = Vec::new();
    let mut listing = Vec::new();
    let mut known = Digests::with_capacity(site.files.len());
    let listed: Vec<(&String, &Blob)> = site
        .files
        .iter()
        .filter(|(path, _)| *path != "sw.js" && *path != "sitemap.xml")
        .collect();
    // A one-shot build hashes every byte of the site: on all cores.
    let computed: Vec<u64> = if digests.is_none() {
        listed.par_iter().map(|(_, blob)| digest(blob)).collect()
    } else {
        Vec::new()
    };
    for (i, (path, blob)) in listed.into_iter().enumerate() {
        let d = match (&manifest, path.as_str()) {
            (Some(m), MANIFEST) => digest(m),
            _ => match digests.as_deref_mut() {
                None => computed.get(i).copied().unwrap_or_else(|| digest(blob)),
                Some(memo) => match memo.get(path) {
                    Some((b, d)) if Arc::ptr_eq(b, blob) => *d,
                    _ => {
                        let d = digest(blob);
                        memo.insert(path.clone(), (Arc::clone(blob), d));
                        d
                    }
                },
            },
        };
        listing.extend_from_slice(path.as_bytes());
        listing.push(0);
        listing.extend_from_slice(&d.to_le_bytes());
        precache.push(path.as_str());
        known.insert(path.clone(), d);
    }
    if let Some(memo) = digests {
        memo.retain(|p, _| site.files.contains_key(p));
    }
    let version = format!("{:016x}", digest(&listing));
    let list = serde_json::to_string(&precache).unwrap_or_else(|_| "[]".into());
    let sw = SERVICE_WORKER
        .replace("__VERSION__", &version)
        .replace("__FILES__", &list);
    out.push(("sw.js".to_owned(), sw.into_bytes()));
    if let Some(m) = manifest {
        out.push((MANIFEST.to_owned(), m));
    }
    (out, known)
}

/// The service worker; `__VERSION__` and `__FILES__` are filled in per build.
const SERVICE_WORKER: &str = include_str!("sw.js");
