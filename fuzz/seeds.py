#!/usr/bin/env python3
"""Seeds for the fuzz targets (round 21): web addresses of many shapes, and recurrence rules, each
in the format of the targets that read them (calendar, catalog, check_toml).

    fuzz/seeds.py DIR    writes DIR/TARGET/SHA1 for each seed; copy them into corpus/TARGET/ and
                         run `cargo +nightly fuzz cmin TARGET corpus/TARGET`, so that only those
                         that add coverage are kept.
"""
import hashlib
import os
import sys

URLS = [
 "https://bibliotekvarmland.se/", "http://bibliotekvarmland.se:8080/a/b?c=d#e",
 "HTTPS://BIBLIOTEKVARMLAND.SE/%7Euser", "https://user:pa%20ss@host.se:443/",
 "https://bücher.se/böcker", "https://xn--bcher-kva.se/", "https://xn--a.se/", "https://ÅÄÖ.SE./",
 "https://a.b.c.d.e.f.g.h.i.j.k/", "https://127.0.0.1/", "https://0x7f.1/", "https://0177.0.0.1/",
 "https://4294967295/", "https://4294967296/", "https://1.2.3.4.5/", "https://[::1]/", "https://[2001:db8::1:0:0:1]:80/",
 "https://[::ffff:192.168.0.1]/", "https://[v1.x]/", "https://[1:2:3:4:5:6:7:8:9]/", "https://exa mple.se/",
 "https://host.se/a/../b/./c/%2e%2E/d", "https://host.se/a\\b\\c", "https://host.se/?q=å&r=%zz#frag ment",
 "https://host.se/\t\npath", "  https://host.se/  ", "https:host.se/x", "https:/host.se", "https:///host.se",
 "http://host.se:65535/", "http://host.se:65536/", "http://host.se:/", "https://%41.se/", "https://a%00b.se/",
 "https://host.se/" + "a/" * 40, "https://host.se/p?" + "&k=v" * 20, "file:///C:/x/../y", "file://server/share/f",
 "file:///etc/passwd", "file:c|/path", "data:text/plain,hej", "mailto:info@bibliotekvarmland.se",
 "javascript:alert(1)", "urn:isbn:9789100000000", "ftp://ftp.se/f", "ws://host.se/", "non-spec://h/p?q#f",
 "//host.se/rel", "/abs/path", "rel/path?x", "?only", "#only", "../up/../../x", ".", "",
 "https://host.se#", "https://host.se?", "https://host.se/%", "https://host.se/\u00e5%C3%A5",
 "https://xn--ls8h.la/", "https://ß.de/", "https://faß.de/", "https://-a-.se/", "https://a..b/",
 "https://ex\u00adample.se/", "https://ﬁ.se/", "https://①.se/", "https://\u200d.se/", "https://a\u3002b\uff0ec/",
]
RRULES = [
 "FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20270301T000000Z", "FREQ=MONTHLY;BYDAY=-1SU;COUNT=5",
 "FREQ=MONTHLY;BYSETPOS=2,-1;BYDAY=MO,TU,WE,TH,FR", "FREQ=YEARLY;BYWEEKNO=1,52,-1;BYDAY=MO",
 "FREQ=YEARLY;BYYEARDAY=1,100,-1;INTERVAL=2", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
 "FREQ=DAILY;BYHOUR=9,12,15;BYMINUTE=0,30;COUNT=20", "FREQ=HOURLY;INTERVAL=5;BYSECOND=0,59",
 "FREQ=MINUTELY;INTERVAL=90;COUNT=3", "FREQ=WEEKLY;WKST=SU;INTERVAL=2;BYDAY=TU,SU",
 "FREQ=MONTHLY;BYMONTHDAY=-1,-31,31", "FREQ=YEARLY;BYDAY=20MO", "FREQ=YEARLY;BYDAY=-53FR",
 "FREQ=MONTHLY;BYDAY=+5FR", "FREQ=SECONDLY;COUNT=2", "FREQ=WEEKLY;UNTIL=20261231",
 "FREQ=DAILY;UNTIL=20261201T000000", "FREQ=WEEKLY;BYDAY=MO;BYMONTH=1,12;BYSETPOS=1",
 "FREQ=YEARLY;BYEASTER=0", "FREQ=MONTHLY;INTERVAL=0", "FREQ=DAILY;COUNT=0", "X-NAME=1;FREQ=DAILY",
 "freq=daily;count=3", "FREQ=DAILY;;COUNT=3", "FREQ=WEEKLY;BYDAY=MO,,TU",
]


def ics(event):
    """A calendar of one event at Karlstad, with `event` (lines ending in CRLF) among its properties."""
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//seed//\r\nBEGIN:VEVENT\r\nUID:s@x\r\n"
            "DTSTART;TZID=Europe/Stockholm:20261210T100000\r\nDTEND;TZID=Europe/Stockholm:20261210T110000\r\n"
            "SUMMARY:Sagostund för barn\r\nLOCATION:Karlstads stadsbibliotek\r\n" + event +
            "END:VEVENT\r\nEND:VCALENDAR\r\n")


def seeds():
    """(target, text) for each seed."""
    for u in URLS:
        yield "calendar", ics(f"URL:{u}\r\n")
        rss = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Nytt</title><item><title>Bok</title>'
               f'<link>{u}</link><enclosure url="{u}" type="image/jpeg"/><guid>{u}</guid></item></channel></rss>')
        atom = (f'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{u}"><entry><title>Bok</title>'
                f'<link rel="alternate" href="{u}"/><link rel="http://opds-spec.org/image" href="{u}" type="image/jpeg"/>'
                f'</entry></feed>')
        yield "catalog", rss.replace("&", "&amp;")
        yield "catalog", atom.replace("&", "&amp;")
        toml = u.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n")
        yield "check_toml", f'name = "Fråga"\n\n[[slide]]\nkind = "qr"\ntitle = "Fråga"\nurl = "{toml}"\nduration = "15s"\n'
        yield "check_toml", f'id = "karlstad-entre"\nfeed = "{toml}"\nheartbeat_url = "{toml}"\n'
    for rule in RRULES:
        yield "calendar", ics(f"RRULE:{rule}\r\nEXDATE;TZID=Europe/Stockholm:20261217T100000\r\n")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for target, text in seeds():
        data = text.encode()
        folder = os.path.join(sys.argv[1], target)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, hashlib.sha1(data).hexdigest()), "wb") as out:
            out.write(data)


if __name__ == "__main__":
    main()
