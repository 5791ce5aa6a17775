//! The region's two web pages, as static files in the feed folder that the same nginx serves:
//! the preview for staff (what each screen shows now and in the coming week, every page as that
//! screen draws it, with the legibility warnings beside it; [`preview`]) and the fleet page for
//! IT (every screen's last heartbeat; [`fleet`]). Plain HTML and CSS in Swedish, readable on a
//! phone; the preview works without a server, the fleet page reads the heartbeats with a little
//! script.

pub mod fleet;
pub mod preview;

use std::fmt::Write as _;

/// The folders under the feed folder.
pub const PREVIEW_DIR: &str = "forhandsvisning";
pub const FLEET_DIR: &str = "status";

/// Text made safe for HTML, in element content and in quoted attributes.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole HTML page around `body`: Swedish, scaled for phones, with the shared style sheet.
pub fn page(title: &str, css: &str, body: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<link rel=\"stylesheet\" href=\"{css}\">\n</head>\n<body>\n\
         <a class=\"skip\" href=\"#main\">Hoppa till innehållet</a>\n{body}\n</body>\n</html>\n",
        esc(title)
    );
    out
}

/// The style of both pages: dark text on white (contrast well above WCAG AA), a single column
/// that fits a phone and widens on a desktop, focus outlines kept.
pub const STYLE: &str = r#"*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1a1a1a;background:#fff}
main,header.site,footer{max-width:72rem;margin:0 auto;padding:0 1rem}
header.site{padding-top:1rem;border-bottom:1px solid #ccc}
h1{font-size:1.6rem;line-height:1.2;margin:.5rem 0}
h2{font-size:1.3rem;margin:2rem 0 .5rem}
h3{font-size:1.1rem;margin:1.5rem 0 .5rem}
a{color:#0b4f8a}
a:focus,button:focus{outline:3px solid #f0a000;outline-offset:2px}
.skip{position:absolute;left:-999px}
.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
.meta{color:#444;font-size:.95rem}
ul.cards{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:1rem}
ul.cards li{border:1px solid #ccc;border-radius:6px;padding:.75rem}
ul.cards img{width:100%;height:auto;display:block;border:1px solid #999;background:#eee}
ul.cards img.portrait,ul.cards .closed.portrait{max-width:9rem}
ul.plan{list-style:none;padding:0;margin:0}
ul.plan li{padding:.3rem 0;border-bottom:1px solid #ddd}
.t{font-variant-numeric:tabular-nums;white-space:nowrap;font-weight:600}
.now{border:2px solid #0b4f8a;border-radius:6px;padding:.5rem .75rem}
.pages{display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));gap:1rem;margin:0;padding:0}
.pages.portrait{grid-template-columns:repeat(auto-fill,minmax(10rem,1fr))}
figure{margin:0;border:1px solid #ccc;border-radius:6px;padding:.5rem}
figure img{width:100%;height:auto;display:block;background:#eee}
figcaption{font-size:.9rem;margin-top:.4rem}
.closed{display:flex;align-items:center;justify-content:center;background:#222;color:#fff;aspect-ratio:16/9;border-radius:4px}
.closed.portrait{aspect-ratio:9/16;max-width:10rem}
.warn{background:#fff4d6;border-left:4px solid #a35f00;padding:.3rem .5rem;margin:.4rem 0 0;font-size:.9rem;list-style:none}
.warn li+li{margin-top:.3rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:.95rem}
caption{text-align:left}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
th{background:#f2f2f2}
.scroll{overflow-x:auto}
tr.exception td{background:#fff4d6}
.state{font-weight:600;padding:.1rem .4rem;border-radius:4px;display:inline-block}
.ok{background:#dff3e0;color:#14501a}
.bad{background:#fbe0e0;color:#7a1010}
.stale{background:#fff1c7;color:#6b4a00}
.c-shot img{width:10rem;height:auto;display:block;min-width:8rem}
footer{margin-top:3rem;padding-bottom:2rem;color:#444;font-size:.9rem}
"#;

/// Swedish names of the opening modes.
pub fn mode_sv(mode: crate::calendar::opening::Mode) -> &'static str {
    use crate::calendar::opening::Mode;
    match mode {
        Mode::Staffed => "Bemannat",
        Mode::SelfService => "Meröppet",
        Mode::Closed => "Stängt",
    }
}

pub use crate::calendar::hours::{date_sv, weekday_sv};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_html() {
        assert_eq!(
            esc("<b>\"Nils\" & 'Ö'</b>"),
            "&lt;b&gt;&quot;Nils&quot; &amp; &#39;Ö&#39;&lt;/b&gt;"
        );
        let p = page("Å <x>", "stil.css", "<main id=\"main\"></main>");
        assert!(p.contains("<html lang=\"sv\">"));
        assert!(p.contains("<title>Å &lt;x&gt;</title>"));
    }
}
