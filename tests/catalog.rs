//! New acquisitions from real catalog documents (the fixtures in `tests/fixtures/catalog/`,
//! whose README says where each comes from), checked field by field; broken documents give clear
//! errors and keep the last good list; and, end to end, a Koha feed and its covers served over
//! HTTP become a rendered covers slide with real and typographic covers and a scannable QR code.

use std::path::{Path, PathBuf};

use url::Url;
use vitrin::catalog::CatalogSettings;
use vitrin::catalog::parse::{Format, RawItem, parse};
use vitrin::catalog::{CoverItem, Resolver};
use vitrin::media::Media;

use crate::server::Server;
use crate::util::{qr_codes, stdout, vitrin};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(crate::util::fixture(&format!("catalog/{name}"))).unwrap()
}

fn read(name: &str, base: Option<&str>) -> (Format, Vec<RawItem>) {
    let base = base.map(|b| Url::parse(b).unwrap());
    parse(&fixture(name), base.as_ref()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn isbn(item: &RawItem) -> Option<String> {
    item.isbn.map(|i| i.isbn13())
}

#[test]
fn koha_rss_isbns_bylines_and_covers_in_html() {
    let (format, items) = read("nyforvarv-karlstad.rss", None);
    assert_eq!(format, Format::Rss2);
    let titles: Vec<&str> = items.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Vinterviken",
            "Pippi Långstrump",
            "Klarälven: en flod genom tiden",
            "Ödets stjärnor",
            "Svampguiden för Värmland"
        ]
    );
    let authors: Vec<Vec<String>> = items.iter().map(|i| i.authors.clone()).collect();
    assert_eq!(
        authors,
        [
            vec!["Mats Larsson"],
            vec!["Astrid Lindgren"],
            vec!["Åsa Östlund"],
            vec![],
            vec!["Gunnel Ek"]
        ]
    );
    let isbns: Vec<Option<String>> = items.iter().map(isbn).collect();
    assert_eq!(
        isbns,
        [
            Some("9789100198251".into()),
            // "ISBN:91-29-65761-X (inb.) | 9789129657616": the first valid one.
            Some("9789129657616".into()),
            // "ISBN:" is empty.
            None,
            // "978-91-7799-012-X" is no ISBN-13.
            None,
            Some("9789188145468".into()),
        ]
    );
    assert_eq!(
        items[0].cover.as_deref(),
        Some("https://images-na.ssl-images-amazon.com/images/P/9100198250.01.TZZZZZZZ.jpg")
    );
    assert_eq!(items[1].cover, None);
    assert_eq!(
        items[2].cover.as_deref(),
        Some("https://opac.example.se/covers/klaralven-40213.jpg")
    );
    assert_eq!(
        items[4].cover.as_deref(),
        Some(
            "http://www.syndetics.com/index.aspx?isbn=9789188145468/SC.GIF&client=examplelib&type=xw10&upc=&oclc="
        )
    );
    assert_eq!(
        items[0].link.as_deref(),
        Some("https://opac.example.se/cgi-bin/koha/opac-detail.pl?biblionumber=40211")
    );
}

#[test]
fn rss_pictures_from_enclosures_media_thumbnails_and_escaped_html() {
    let (_, items) = read("feed-rs_rss_2.0_example_3.xml", None);
    // A media:thumbnail with no media:content beside it (feed-rs 3.0 drops it).
    assert_eq!(
        items[0].cover.as_deref(),
        Some(
            "https://media.newyorker.com/photos/5d4211a4ba8a9c0009a57cfd/master/pass/Chotiner-ReaganRacismNaftali-3.jpg"
        )
    );
    assert_eq!(items[0].authors, ["Isaac Chotiner"]);
    // An <img> in an entity-escaped description.
    let (_, items) = read("feed-rs_rss_2.0_ilgiornale.xml", None);
    assert_eq!(
        items[0].cover.as_deref(),
        Some(
            "https://img.ilgcdn.com/sites/default/files/styles/md/public/foto/2022/09/30/1664568527-schermata-2022-09-30-214250.jpg?_=1664568527"
        )
    );
    assert_eq!(items[0].authors, ["Angela Leucci"]);
    // RSS 1.0 in ISO-8859-1.
    let (format, items) = read("feed-rs_rss_1.0_iso8859.xml", None);
    assert_eq!(format, Format::Rss1);
    assert_eq!(
        items[0].title,
        "Digitalministerium: Neue Glasfaserförderung mit Schnellkasse"
    );
}

#[test]
fn atom_and_opds_resolve_relative_links() {
    let (format, items) = read(
        "opds-1.2_sec2.3_acquisition-feed.xml",
        Some("https://opds.example.org/opds-catalogs/unpopular.xml"),
    );
    assert_eq!(format, Format::Atom);
    assert_eq!(items[0].title, "Bob, Son of Bob");
    assert_eq!(items[0].authors, ["Bob the Recursive"]);
    // rel="http://opds-spec.org/image", root-relative.
    assert_eq!(
        items[0].cover.as_deref(),
        Some("https://opds.example.org/covers/4561.lrg.png")
    );
    assert_eq!(
        items[1].authors,
        ["Stampy McGee", "Alice McGee", "Harold McGee"]
    );
    let (_, items) = read(
        "nypl-opds-feed-parser_acquisition.xml",
        Some("https://feedbooks.github.io/test/main.xml"),
    );
    assert_eq!(items.len(), 17);
    assert_eq!(items[0].title, "Pride and Prejudice");
    assert_eq!(
        items[0].cover.as_deref(),
        Some("https://feedbooks.github.io/larger.jpg")
    );
    let (_, items) = read("nypl-opds-feed-parser_entry.xml", None);
    assert_eq!(
        items[0].cover.as_deref(),
        Some(
            "https://d3pqhns20516vc.cloudfront.net/Overdrive/135d0478-1ab9-4cc1-a1aa-2aa616b1218c/cover.jpg"
        )
    );
    // xml:base on the content element.
    let (_, items) = read("feed-rs_atom_xml_base.xml", None);
    assert_eq!(
        items[0].cover.as_deref(),
        Some("https://numi.st/post/2022/travel-uke/IMG_1232.jpeg")
    );
    // Relative to the feed's own address (its self link).
    let (_, items) = read("feed-rs_atom_relative.xml", None);
    assert_eq!(
        items[0].link.as_deref(),
        Some("https://example.com/blog/2003/12/13/atom03")
    );
    // Media RSS inside Atom.
    let (_, items) = read("feed-rs_atom_mediarss_youtube_1.xml", None);
    assert_eq!(
        items[0].cover.as_deref(),
        Some("https://i1.ytimg.com/vi/0A1ouV7iD8o/hqdefault.jpg")
    );
}

#[test]
fn marcxml_from_libris_and_evergreen() {
    let (format, items) = read("librisxl_batchimport_integtest_batch1.xml", None);
    assert_eq!(format, Format::Marc);
    // The Holdings record in the same collection is not a book.
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].title, "Polisbilen får INTE ett larm");
    assert_eq!(items[0].authors, ["Peter Bently"]);
    assert_eq!(isbn(&items[0]).as_deref(), Some("9789150222319"));
    let (_, items) = read("librisxl_batchimport_integtest_batch2.xml", None);
    assert_eq!(
        isbn(&items[0]).as_deref(),
        Some("9789127108509"),
        "ISBN-10 91-27-10850-3"
    );
    let (_, items) = read("librisxl_batchimport_integtest_batch5.xml", None);
    assert_eq!(isbn(&items[0]), None, "no 020 at all");
    let (_, items) = read("evergreen-badisbns.xml", None);
    let by_title = |t: &str| {
        items
            .iter()
            .find(|i| i.title == t)
            .unwrap_or_else(|| panic!("{t}"))
    };
    // 245 $a and $b, MARC punctuation gone.
    assert!(
        items
            .iter()
            .any(|i| i.title == "Songs of the 60's: piano, vocal, guitar")
    );
    // 020 $z (invalid ISBNs) is ignored; the first valid $a counts.
    assert_eq!(
        isbn(by_title("The farthest shore")).as_deref(),
        Some("9780553204308")
    );
    assert_eq!(
        by_title("The farthest shore").authors,
        ["Ursula K. Le Guin"]
    );
    assert_eq!(
        isbn(by_title("Miller's ceramic figures")).as_deref(),
        Some("9781845332136")
    );
    assert_eq!(
        isbn(by_title("The substitute fiancee")),
        None,
        "only a 020 $z"
    );
    // A shop barcode is not an ISBN.
    assert_eq!(isbn(by_title("Teen Patti")), None);
    assert_eq!(by_title("A Christmas carol").authors, ["Charles Dickens"]);
}

#[test]
fn libris_json_fields_that_are_strings_or_lists() {
    let (format, items) = read("bookwyrm_libris_search.json", None);
    assert_eq!(format, Format::LibrisJson);
    assert_eq!(items.len(), 5);
    assert_eq!(
        items[0].title,
        "Känner du Astrid Lindgren?: berättelsen om Astrids liv"
    );
    assert_eq!(items[0].authors, ["David Sundin", "Amanda Berglund"]);
    assert_eq!(isbn(&items[0]).as_deref(), Some("9789129748468"));
    assert_eq!(
        items[0].link.as_deref(),
        Some("http://libris.kb.se/bib/6rkftbcz44gf3pqm")
    );
    // isbn as a list, creators repeated with and without a full stop.
    assert_eq!(isbn(&items[1]).as_deref(), Some("9788249604913"));
    assert_eq!(
        items[1].authors,
        ["Astrid Lindgren", "Ingrid Vang Nyman", "Hans Braarvig"]
    );
    // A single creator as a string.
    assert_eq!(items[2].authors, ["Johan Svedjedal"]);
    let (_, one) = read("bookwyrm_libris_isbn_search.json", None);
    assert_eq!(one.len(), 1);
}

#[test]
fn opds2_json() {
    let (format, items) = read("opds-2.0_sec2.2_publications.json", None);
    assert_eq!(format, Format::Opds2);
    assert_eq!(items[0].title, "Moby-Dick");
    assert_eq!(items[0].authors, ["Herman Melville"]);
    // urn:isbn:978031600000X is not a valid ISBN.
    assert_eq!(isbn(&items[0]), None);
    assert_eq!(
        items[0].cover.as_deref(),
        Some("http://example.org/cover.jpg")
    );
}

#[test]
fn malformed_and_truncated_documents_are_clear_errors() {
    let err = parse(&fixture("feed-rs_rss_2.0_invalid_1.xml"), None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the document is cut off: <channel> is never closed"
    );
    let err = parse(
        b"<rss><channel><item><title>x</titel></item></channel></rss>",
        None,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("malformed XML at line 1, column "),
        "{err}"
    );
    let err = parse(b"{\"hello\": 1}", None).unwrap_err();
    assert!(
        err.to_string()
            .contains("neither Libris Xsearch nor OPDS 2"),
        "{err}"
    );
    let err = parse(b"<html><body>404</body></html>", None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "not a catalog feed vitrin knows: an XML document whose root is <html>"
    );
}

#[test]
fn duplicates_go_and_the_list_is_capped_in_feed_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dubbel.rss");
    let item = |t: &str, isbn: &str| {
        format!(
            "<item><title>{t}</title><link>https://opac.example.se/{t}</link><dc:identifier>ISBN:{isbn}</dc:identifier></item>"
        )
    };
    let doc = format!(
        "<rss xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>t</title>{}{}{}{}</channel></rss>",
        item("Ett", "9789100198251"),
        item("Ett igen", "9100198250"),
        item("Två", "9789188145468"),
        item("Tre", ""),
    );
    std::fs::write(&path, doc).unwrap();
    let mut r = Resolver::new(CatalogSettings::default());
    r.fetch_covers = false;
    let items: Vec<String> = r
        .items(&Media::File(path.clone()), 10)
        .unwrap()
        .into_iter()
        .map(|i| i.title)
        .collect();
    assert_eq!(
        items,
        ["Ett", "Två", "Tre"],
        "the same ISBN twice (as ISBN-10 and ISBN-13) is one book"
    );
    let capped: Vec<CoverItem> = r.items(&Media::File(path), 2).unwrap();
    assert_eq!(capped.len(), 2);
}

#[test]
fn a_failing_source_keeps_its_last_good_list() {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("nya.rss");
    std::fs::copy(
        crate::util::fixture("catalog/nyforvarv-karlstad.rss"),
        &feed,
    )
    .unwrap();
    let mut playlists = vec![{
        let (p, d) = vitrin::check::load_playlist_str(
            &dir.path().join("n.toml"),
            "[[slide]]\nkind = \"covers\"\nsource = \"nya.rss\"\n",
        );
        p.unwrap_or_else(|| panic!("{d:?}"))
    }];
    let mut resolver = Resolver::with_cache(CatalogSettings::default(), dir.path().join("cache"));
    resolver.fetch_covers = false;
    let mut last_good = Default::default();
    let errors = vitrin::ingest::resolve_covers(
        &mut playlists,
        &mut resolver,
        &mut last_good,
        chrono::Utc::now().date_naive(),
    );
    assert!(errors.is_empty(), "{errors:?}");
    // The feed breaks (a download cut off after its first book, saved over it).
    let whole = fixture("nyforvarv-karlstad.rss");
    let cut = String::from_utf8_lossy(&whole).find("</item>").unwrap() + "</item>".len();
    std::fs::write(&feed, &whole[..cut]).unwrap();
    let errors = vitrin::ingest::resolve_covers(
        &mut playlists,
        &mut resolver,
        &mut last_good,
        chrono::Utc::now().date_naive(),
    );
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].contains("nya.rss") && errors[0].contains("cut off"),
        "{errors:?}"
    );
    let vitrin::playlist::SlideContent::Covers { items, .. } = &playlists[0].slides[0].content
    else {
        panic!()
    };
    assert_eq!(items.len(), 5, "the last good books stay");
    // Also after a restart: the list kept on disk.
    let mut fresh = Resolver::with_cache(CatalogSettings::default(), dir.path().join("cache"));
    fresh.fetch_covers = false;
    let errors = vitrin::ingest::resolve_covers(
        &mut playlists,
        &mut fresh,
        &mut Default::default(),
        chrono::Utc::now().date_naive(),
    );
    assert_eq!(errors.len(), 1);
    let vitrin::playlist::SlideContent::Covers { items, .. } = &playlists[0].slides[0].content
    else {
        panic!()
    };
    assert_eq!(items.len(), 5);
}

#[test]
fn check_reports_a_local_feed_that_is_not_a_feed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("nya.rss"),
        "<html><body>Not found</body></html>",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("n.toml"),
        "[[slide]]\nkind = \"covers\"\nsource = \"nya.rss\"\n",
    )
    .unwrap();
    let o = vitrin(&["check", dir.path().join("n.toml").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains(":3:10: error: \""), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("is not a catalog feed vitrin can read"),
        "{}",
        stdout(&o)
    );
}

fn write_png(path: &Path, w: u32, h: u32, color: [u8; 3]) {
    image::RgbImage::from_pixel(w, h, image::Rgb(color))
        .save(path)
        .unwrap();
}

/// The whole way: a Koha feed served over HTTP with covers (one real, one a 1x1 placeholder, one
/// missing and found by ISBN from a configured address), `vitrin catalog` shows the books, and
/// `vitrin render` draws them.
#[test]
fn a_served_koha_feed_becomes_a_rendered_covers_slide() {
    let site = tempfile::tempdir().unwrap();
    let server = Server::start(site.path().to_path_buf());
    let base = server.url();
    std::fs::create_dir_all(site.path().join("covers")).unwrap();
    std::fs::create_dir_all(site.path().join("isbn")).unwrap();
    // Vinterviken: a real cover in the feed. Svampguiden: a placeholder in the feed, and a real one
    // by ISBN. Klarälven: a cover the server does not have.
    write_png(
        &site.path().join("covers/vinterviken.png"),
        200,
        300,
        [0, 170, 190],
    );
    write_png(&site.path().join("covers/pixel.png"), 1, 1, [255, 255, 255]);
    write_png(
        &site.path().join("isbn/9789188145468.png"),
        200,
        300,
        [190, 60, 0],
    );
    let feed = String::from_utf8(fixture("nyforvarv-karlstad.rss"))
        .unwrap()
        .replace("https://images-na.ssl-images-amazon.com/images/P/9100198250.01.TZZZZZZZ.jpg", &format!("{base}covers/vinterviken.png"))
        .replace("https://opac.example.se/covers/klaralven-40213.jpg", &format!("{base}covers/saknas.png"))
        .replace(
            "http://www.syndetics.com/index.aspx?isbn=9789188145468/SC.GIF&amp;client=examplelib&amp;type=xw10&amp;upc=&amp;oclc=",
            &format!("{base}covers/pixel.png"),
        );
    std::fs::write(site.path().join("nyforvarv.rss"), feed).unwrap();

    let work = tempfile::tempdir().unwrap();
    let screen = work.path().join("screen.toml");
    std::fs::write(
        &screen,
        format!(
            "id = \"test\"\ncache_dir = \"cache\"\n[catalog]\ncover_urls = [\"{base}isbn/{{isbn13}}.png\"]\nlink = \"https://bibliotekvarmland.se/search?query={{isbn13}}\"\n"
        ),
    )
    .unwrap();
    let o = vitrin(&[
        "catalog",
        &format!("{base}nyforvarv.rss"),
        "--screen",
        screen.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", crate::util::stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["cover"], format!("{base}covers/vinterviken.png"));
    assert_eq!(lines[0]["isbn13"], "9789100198251");
    assert_eq!(
        lines[2]["cover"],
        serde_json::Value::Null,
        "a missing cover and no ISBN: typographic"
    );
    assert_eq!(
        lines[4]["cover"],
        format!("{base}isbn/9789188145468.png"),
        "the placeholder is passed over"
    );
    assert_eq!(lines[4]["source"], format!("{base}nyforvarv.rss"));

    let playlist = work.path().join("nya.toml");
    std::fs::write(
        &playlist,
        format!("name = \"Nya\"\n[[slide]]\nkind = \"covers\"\ntitle = \"Nya böcker\"\nsource = \"{base}nyforvarv.rss\"\ncount = 5\nqr = \"https://bibliotekvarmland.se/nyheter\"\n"),
    )
    .unwrap();
    let out = work.path().join("slides");
    let o = vitrin(&[
        "render",
        "--screen",
        screen.to_str().unwrap(),
        "--playlist",
        playlist.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        o.status.success(),
        "{}\n{}",
        stdout(&o),
        crate::util::stderr(&o)
    );
    let page: PathBuf = out.join("01-nya-1-1.png");
    let img = image::open(&page).unwrap().into_rgb8();
    let scale = vitrin::layout::Scale::new(1920, 1080);
    let layout = scale.covers(
        4,
        vitrin::prepare::qr_modules("https://bibliotekvarmland.se/nyheter"),
        None,
    );
    let center = |r: vitrin::layout::Rect| {
        img.get_pixel((r.x + r.w / 2.0) as u32, (r.y + r.h * 0.6) as u32)
            .0
    };
    assert_eq!(
        center(layout.cells[0].cover),
        [0, 170, 190],
        "Vinterviken's cover from the feed"
    );
    let (bg, _) = vitrin::theme::cover_colors("Pippi Långstrump");
    let pippi = center(layout.cells[1].cover);
    assert!(
        pippi
            .iter()
            .zip(bg)
            .all(|(a, b)| (i32::from(*a) - i32::from(b)).abs() <= 3),
        "Pippi gets a typographic cover: {pippi:?}"
    );
    let (bg, _) = vitrin::theme::cover_colors("Klarälven: en flod genom tiden");
    let klaralven = center(layout.cells[2].cover);
    assert!(
        klaralven
            .iter()
            .zip(bg)
            .all(|(a, b)| (i32::from(*a) - i32::from(b)).abs() <= 3),
        "a missing cover is typographic: {klaralven:?}"
    );
    assert_eq!(
        qr_codes(&img),
        ["https://bibliotekvarmland.se/nyheter"],
        "the slide's QR code into the portal"
    );
    // The fifth book, on the second page: its cover found by ISBN.
    let second = image::open(out.join("02-nya-1-2.png")).unwrap().into_rgb8();
    let layout = scale.covers(
        1,
        vitrin::prepare::qr_modules("https://bibliotekvarmland.se/nyheter"),
        None,
    );
    let c = layout.cells[0].cover;
    assert_eq!(
        second
            .get_pixel((c.x + c.w / 2.0) as u32, (c.y + c.h * 0.6) as u32)
            .0,
        [190, 60, 0]
    );
}
