//! The fleet page for IT, written by `vitrin publish` into the feed folder's `status/`: every
//! screen of the inventory with its last heartbeat, mode, generation, last sync, errors, display
//! power and latest screenshot, and screens that are silent, not syncing or on an old generation
//! marked. Screens send their heartbeat to the same web server (`heartbeat_url`: an HTTP PUT of
//! `status.json` to `status/puls/ID.json`, and of a small screenshot to `ID.png`; nginx takes
//! them with its WebDAV module, one write-only place and password per screen, so no vitrin server
//! runs). The page itself is static: a table of the inventory, filled in by a small script that
//! reads the heartbeats every minute.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{FLEET_DIR, STYLE, esc, page};
use crate::fsutil::{PathError, WithPath, write_atomic};
use crate::generation::Generation;

/// Where screens put their heartbeats, inside the fleet page's folder.
pub const HEARTBEAT_DIR: &str = "puls";
/// A screen whose last heartbeat is older than this is silent (it sends one a minute).
pub const SILENT_AFTER_S: u64 = 5 * 60;
/// A screen that has not synced for this long is not syncing.
pub const SYNC_STALE_AFTER_S: u64 = 24 * 3600;

#[derive(Serialize)]
struct Fleet<'a> {
    generation: &'a str,
    sequence: u64,
    published: Option<String>,
    silent_after_s: u64,
    sync_stale_after_s: u64,
    screens: Vec<FleetScreen<'a>>,
}

#[derive(Serialize)]
struct FleetScreen<'a> {
    id: &'a str,
    name: Option<&'a str>,
    library: Option<&'a str>,
}

/// Writes the fleet page for `generation`'s inventory into `out/status/`.
pub fn write_fleet(
    generation: &Generation,
    out: &Path,
    now: DateTime<Utc>,
) -> Result<PathBuf, PathError> {
    let dir = out.join(FLEET_DIR);
    let region = &generation.region;
    fn library_name<'a>(region: &'a crate::region::Region, id: Option<&'a str>) -> Option<&'a str> {
        id.and_then(|i| region.library(i))
            .map(|l| l.name.as_str())
            .or(id)
    }
    let fleet = Fleet {
        generation: &generation.id,
        sequence: generation.sequence,
        published: generation.published.map(|t| t.to_rfc3339()),
        silent_after_s: SILENT_AFTER_S,
        sync_stale_after_s: SYNC_STALE_AFTER_S,
        screens: region
            .screens
            .iter()
            .map(|s| FleetScreen {
                id: &s.id,
                name: s.name.as_deref(),
                library: library_name(region, s.library.as_deref()),
            })
            .collect(),
    };
    let mut json = serde_json::to_vec_pretty(&fleet).expect("the fleet serializes");
    json.push(b'\n');
    write_atomic(&dir.join("skarmar.json"), &json)?;
    write_atomic(&dir.join("stil.css"), STYLE.as_bytes())?;
    // Where the screens' heartbeats land (the web server writes them).
    let beats = dir.join(HEARTBEAT_DIR);
    std::fs::create_dir_all(&beats).with_path(&beats)?;
    let mut rows = String::new();
    for s in &fleet.screens {
        let _ = writeln!(
            rows,
            "<tr data-screen=\"{id}\" data-state=\"unknown\"><th scope=\"row\">{id}<br><small>{name}</small></th><td>{lib}</td><td class=\"c-state\">–</td><td class=\"c-beat\">–</td><td class=\"c-mode\">–</td><td class=\"c-gen\">–</td><td class=\"c-sync\">–</td><td class=\"c-err\">–</td><td class=\"c-power\">–</td><td class=\"c-shot\">–</td></tr>",
            id = esc(s.id),
            name = esc(s.name.unwrap_or("")),
            lib = esc(s.library.unwrap_or("–")),
        );
    }
    let body = format!(
        "<header class=\"site\"><h1>Skärmarnas hälsa</h1>\n<p class=\"meta\" id=\"summary\">Varje skärm skickar en puls i minuten. Tyst: ingen puls på {silent} minuter. Innehållet som publicerats nu: <code>{generation}</code> (nummer {sequence}).</p>\n<noscript><p>Sidan behöver JavaScript för att läsa pulserna; de ligger som JSON i <a href=\"{hb}/\">{hb}/</a>.</p></noscript></header>\n<main id=\"main\">\n<div class=\"scroll\"><table id=\"fleet\">\n<caption><span id=\"counts\">–</span> <span class=\"meta\">Uppdateras varje minut. Senast: <span id=\"updated\">–</span></span></caption>\n<tr><th scope=\"col\">Skärm</th><th scope=\"col\">Bibliotek</th><th scope=\"col\">Status</th><th scope=\"col\">Senaste puls</th><th scope=\"col\">Läge</th><th scope=\"col\">Innehåll</th><th scope=\"col\">Senaste synk</th><th scope=\"col\">Fel</th><th scope=\"col\">Skärm av/på</th><th scope=\"col\">Bild</th></tr>\n{rows}</table></div>\n</main>\n<footer><p>Gjord {now} av vitrin {version} från inventariet. Pulserna läses från <code>{hb}/ID.json</code>.</p></footer>\n<script>\n{script}</script>\n",
        silent = SILENT_AFTER_S / 60,
        generation = esc(&generation.id),
        sequence = generation.sequence,
        hb = HEARTBEAT_DIR,
        now = now.format("%Y-%m-%d %H:%M UTC"),
        version = env!("CARGO_PKG_VERSION"),
        script = SCRIPT,
    );
    let index = dir.join("index.html");
    write_atomic(
        &index,
        page("Skärmarnas hälsa", "stil.css", &body).as_bytes(),
    )?;
    Ok(index)
}

/// Reads each screen's heartbeat and fills in its row.
const SCRIPT: &str = r#"'use strict';
const MODES = {'staffed': 'Bemannat', 'self-service': 'Meröppet', 'closed': 'Stängt'};
function ago(ms) {
  const s = Math.round(ms / 1000);
  if (s < 90) return s + ' s sedan';
  const m = Math.round(s / 60);
  if (m < 90) return m + ' min sedan';
  const h = Math.round(m / 60);
  if (h < 48) return h + ' h sedan';
  return Math.round(h / 24) + ' dygn sedan';
}
function cell(row, name, text, cls) {
  const c = row.querySelector('.c-' + name);
  c.textContent = text;
  if (cls) { const b = document.createElement('span'); b.className = 'state ' + cls; b.textContent = text; c.textContent = ''; c.appendChild(b); }
  return c;
}
async function getJson(url) {
  const r = await fetch(url, {cache: 'no-store'});
  if (!r.ok) throw new Error(r.status);
  return r.json();
}
async function refresh() {
  const fleet = await getJson('skarmar.json');
  const now = Date.now();
  let counts = {ok: 0, silent: 0, stale: 0, old: 0};
  await Promise.all(fleet.screens.map(async (s) => {
    const row = document.querySelector('tr[data-screen="' + CSS.escape(s.id) + '"]');
    if (!row) return;
    let hb = null;
    try { hb = await getJson('puls/' + encodeURIComponent(s.id) + '.json'); } catch (e) { hb = null; }
    const beat = hb && Date.parse(hb.time);
    let state, label, cls;
    if (!hb || !(beat > 0)) { state = 'silent'; label = 'Tyst: ingen puls'; cls = 'bad'; }
    else if (now - beat > fleet.silent_after_s * 1000) { state = 'silent'; label = 'Tyst'; cls = 'bad'; }
    else if (!hb.last_sync || now - Date.parse(hb.last_sync) > fleet.sync_stale_after_s * 1000) { state = 'stale'; label = 'Synkar inte'; cls = 'stale'; }
    else if (hb.generation !== fleet.generation) { state = 'old'; label = 'Gammalt innehåll'; cls = 'stale'; }
    else { state = 'ok'; label = 'OK'; cls = 'ok'; }
    counts[state]++;
    row.dataset.state = state;
    cell(row, 'state', label, cls);
    cell(row, 'beat', hb && beat > 0 ? ago(now - beat) : 'aldrig');
    if (!hb) return;
    cell(row, 'mode', (MODES[hb.mode] || hb.mode || '–') + (hb.page ? ': ' + hb.page : ''));
    cell(row, 'gen', (hb.generation || '–') + (hb.generation === fleet.generation ? '' : ' (inte den senaste)'));
    cell(row, 'sync', hb.last_sync ? ago(now - Date.parse(hb.last_sync)) : 'aldrig');
    cell(row, 'err', (hb.errors || 0) + ' fel, ' + (hb.warnings || 0) + ' varningar' + (hb.last_error ? ': ' + hb.last_error : ''), hb.errors ? 'bad' : null);
    cell(row, 'power', (hb.display_asleep ? 'vilar' : 'på') + (hb.power_error ? ' (' + hb.power_error + ')' : ''));
    const shot = row.querySelector('.c-shot');
    shot.textContent = '';
    const img = document.createElement('img');
    img.src = 'puls/' + encodeURIComponent(s.id) + '.png?t=' + Math.floor(now / 60000);
    img.alt = 'Skärmbild från ' + s.id;
    img.width = 160;
    img.height = 90;
    img.onerror = () => { shot.textContent = 'ingen bild'; };
    shot.appendChild(img);
  }));
  document.getElementById('updated').textContent = new Date(now).toLocaleString('sv-SE');
  const n = fleet.screens.length;
  document.getElementById('counts').textContent = n + ' skärmar: ' + counts.ok + ' OK, ' + counts.silent + ' tysta, ' + counts.stale + ' synkar inte, ' + counts.old + ' med gammalt innehåll.';
  document.body.dataset.counts = JSON.stringify(counts);
  document.body.dataset.loaded = 'yes';
}
refresh().catch((e) => { document.getElementById('updated').textContent = 'kunde inte läsa skarmar.json: ' + e; });
setInterval(() => refresh().catch(() => {}), 60000);
"#;
