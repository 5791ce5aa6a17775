#!/usr/bin/env python3
"""Seeds for the fuzz targets (rounds 21 to 24): web addresses of many shapes, international host
names of each class that UTS 46, IDNA and Unicode normalization treat apart, and recurrence rules,
valid and not, each in the format of the targets that read them (calendar, catalog, check_toml);
MARCXML records (catalog); the bundled staff files with one value at a time replaced, and the
smallest file of each kind with each field its schema knows set to values of each type and at the
edges of its own (check_toml). The character classes come from Python's Unicode tables and the
variants from this checkout's files, so another Python or an edit of a bundled file gives other
seeds.

    fuzz/seeds.py DIR    writes DIR/TARGET/SHA1 for each seed; copy them into corpus/TARGET/ and
                         run `cargo +nightly fuzz cmin TARGET corpus/TARGET`, so that only those
                         that add coverage are kept.
"""
import glob
import hashlib
import json
import os
import re
import sys
import unicodedata

# The checkout this script is in, whose bundled files some seeds vary.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

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
 # Round 22: host names of each class UTS 46 maps, ignores, disallows or checks (hyphens, joiners,
 # context rules, bidi), punycode that does not decode, lengths past the limits, and IPv6 forms.
 "https://xn--zca.de/", "https://xn--.se/", "https://xn--a-.se/", "https://xn--9ca.se/", "https://XN--BCHER-KVA.se/",
 "https://xn--bcher-kva\u3002se/", "https://xn--ls8h\u00e5.se/", "https://xn--" + "a" * 60 + ".se/",
 "https://xn--nxasmq6b.gr/", "https://xn--mgbh0fb.xn--kgbechtv/", "https://\u0645\u062b\u0627\u0644.\u0625\u062e\u062a\u0628\u0627\u0631/",
 "https://\u4f8b\u3048.\u30c6\u30b9\u30c8/", "https://\u043f\u0440\u0438\u043c\u0435\u0440.\u0438\u0441\u043f\u044b\u0442\u0430\u043d\u0438\u0435/",
 "https://a\u0308.se/", "https://\u0308a.se/", "https://ab--cd.se/", "https://xn--ab--cd.se/", "https://a-.se/",
 "https://a\u200cb.se/", "https://\u0915\u094d\u200d\u0937.in/", "https://\u0915\u094d\u200c.in/", "https://l\u00b7l.cat/",
 "https://\u00b7l.cat/", "https://\u0375\u03b1.gr/", "https://\u0375a.gr/", "https://\u05d0\u05f3.il/", "https://\u05f3.il/",
 "https://\u30a2\u30fb\u30a2.jp/", "https://\u30fb.jp/", "https://\u0660\u06f0.eg/", "https://\u0660\u0661.eg/",
 "https://\u05d0\u05d11.il/", "https://1\u05d0.il/", "https://a.\u05d0.il/", "https://\u0627\u0644a.eg/",
 "https://\u05d0\u0308.il/", "https://\u0627\u0661\u06f1.eg/", "https://\u00c5ngstr\u00f6m.se/", "https://\u212b.se/",
 "https://\uff21\uff22\uff23.se/", "https://a\u2488.se/", "https://\ufffd.se/", "https://\U0001f600.se/",
 "https://\u3164.se/", "https://a\u034f.se/", "https://a\ufe0f.se/", "https://\u00df\u03c2.se/", "https://\u0130.se/",
 "https://" + "a" * 64 + ".se/", "https://" + ("a" * 63 + ".") * 4 + "se/", "https://a_b.se/", "https://a*b.se/",
 "https://a%2Eb.se/", "https://%E2%80%8D.se/", "https://%C3%A5.se/", "https://%ff.se/", "https://a\u0000b.se/",
 "https://[::]/", "https://[1::2::3]/", "https://[1:2:3:4:5:6:1.2.3.4]/", "https://[::1.2.3.256]/", "https://[:1]/",
 "https://[1:]/", "https://[fe80::1%25eth0]/", "https://[0000:0000::00001]/", "https://[::1.2.3]/", "https://[1:2:3:4:5:6:7::]/",
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
 # Round 22: each value just past its range, parts that contradict each other, and forms of UNTIL.
 "FREQ=YEARLY;BYWEEKNO=53;WKST=MO", "FREQ=YEARLY;BYWEEKNO=0", "FREQ=YEARLY;BYWEEKNO=54", "FREQ=YEARLY;BYWEEKNO=-54",
 "FREQ=MONTHLY;BYMONTHDAY=0", "FREQ=MONTHLY;BYMONTHDAY=32", "FREQ=MONTHLY;BYMONTHDAY=-32", "FREQ=YEARLY;BYYEARDAY=0",
 "FREQ=YEARLY;BYYEARDAY=367", "FREQ=YEARLY;BYYEARDAY=-366", "FREQ=DAILY;BYHOUR=24", "FREQ=DAILY;BYMINUTE=60",
 "FREQ=DAILY;BYSECOND=61", "FREQ=YEARLY;BYMONTH=13", "FREQ=YEARLY;BYMONTH=0", "FREQ=MONTHLY;BYSETPOS=0;BYDAY=MO",
 "FREQ=MONTHLY;BYSETPOS=367;BYDAY=MO", "FREQ=MONTHLY;BYSETPOS=-367;BYDAY=MO", "FREQ=WEEKLY;BYDAY=1MO",
 "FREQ=DAILY;WKST=XX", "FREQ=DAILY;COUNT=3;UNTIL=20270101", "FREQ=DAILY;INTERVAL=-1", "FREQ=DAILY;COUNT=-1",
 "FREQ=FORTNIGHTLY", "FREQ=DAILY;BYDAY=MO;BYWEEKNO=1", "FREQ=MONTHLY;BYWEEKNO=2",
 "FREQ=YEARLY;BYDAY=MO,TU;BYMONTH=2;BYMONTHDAY=1,-1;BYSETPOS=-1,1", "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29;COUNT=3",
 "FREQ=YEARLY;UNTIL=20260101T000000Z", "FREQ=DAILY;UNTIL=2027-01-01", "FREQ=DAILY;UNTIL=20270101T000000+0100",
 "FREQ=DAILY;UNTIL=20271301", "FREQ=WEEKLY;BYDAY=SA,SU;BYHOUR=10;BYMINUTE=0;BYSECOND=0;COUNT=4", "FREQ=YEARLY;BYDAY=+1MO,-1FR,2WE",
 "FREQ=YEARLY;BYMONTH=1;BYDAY=+53MO", "FREQ=MONTHLY;BYDAY=MO;BYMONTHDAY=13", "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO;BYSETPOS=-1",
 "FREQ=HOURLY;BYHOUR=3;BYDAY=SU;BYMONTH=3", "FREQ=MINUTELY;BYMINUTE=0;BYHOUR=2;BYDAY=-1SU;BYMONTH=10",
 "FREQ=DAILY;COUNT=99999999999999999999", "FREQ=DAILY;INTERVAL=99999999999", "FREQ=WEEKLY;BYDAY=mo", "FREQ=DAILY;COUNT",
]

# Round 22, as a system: characters of each bidi class and each general category (the first one or
# two above U+007F in Unicode's tables, and U+FEFF, U+E0001 and U+10FFFF), each put into a host
# name where IDNA's rules look at it: alone, after and before a letter, between right-to-left
# letters, after a digit, as a label of its own, and as punycode.
CHARACTERS = [
 0x80, 0x85, 0x2029, 0xa0, 0x60c, 0xa1, 0xa6, 0xa2, 0xa3, 0xaa, 0xb5, 0xb2, 0xb3, 0x300, 0x301, 0x378,
 0x5be, 0x5c0, 0x600, 0x601, 0x608, 0x60b, 0x1680, 0x2000, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e,
 0x2066, 0x2067, 0x2068, 0x2069, 0x207a, 0x207b, 0xa7, 0xa9, 0xa8, 0xaf, 0xba, 0xab, 0x2018, 0xac, 0xb1,
 0xad, 0xdf, 0xbb, 0x2019, 0xc0, 0xc1, 0x1c5, 0x1c8, 0x2b0, 0x2b1, 0x488, 0x489, 0x58a, 0x660, 0x661,
 0x903, 0x93b, 0xf3a, 0xf3b, 0x16ee, 0x2028, 0x203f, 0xe000, 0xfeff, 0xe0001, 0x10ffff,
]
RRULE_PARTS = {
 "BYMONTH": ["1", "12", "-1", "13"], "BYWEEKNO": ["1", "53", "-53", "0"], "BYYEARDAY": ["1", "366", "-366", "0"],
 "BYMONTHDAY": ["1", "31", "-31", "0"], "BYDAY": ["MO", "+2TU", "-1SU", "54FR"], "BYHOUR": ["0", "23", "-1", "24"],
 "BYMINUTE": ["0", "59", "-1", "60"], "BYSECOND": ["0", "60", "-1", "61"], "BYSETPOS": ["1", "-1", "366", "0"],
}
STARTS = [
 "DTSTART;VALUE=DATE:20261210\r\n", "DTSTART:20261210T100000Z\r\n", "DTSTART:20261210T100000\r\n",
 "DTSTART;TZID=America/New_York:20261210T100000\r\n", "DTSTART;TZID=Nowhere/Else:20261210T100000\r\n",
]
UNTILS = ["", ";UNTIL=20270110", ";UNTIL=20270110T100000Z", ";UNTIL=20270110T100000", ";COUNT=4"]
# Round 23: starts, ends and exceptions in the hours that summer time skips or repeats, in the
# screens' zone and in another, and UNTIL in shapes that are neither a date nor a UTC time.
DST_TIMES = [
 "Europe/Stockholm:20270328T023000", "Europe/Stockholm:20261025T023000", "Europe/Stockholm:20270328T020000",
 "Europe/Stockholm:20261025T030000", "America/New_York:20270314T023000", "America/New_York:20261101T013000",
]
UNTILS_23 = [
 "20270101T1000", "2027", "20270101T100000z", "20270101T100000ZZ", "", "19000101T000000Z", "99991231T235959Z",
 "20261231T235960Z", "20270229", "20280229T100000", "20270328T023000", "20261025T023000", "+20270101",
]
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
# BYSETPOS's range under each frequency a screen expands (rrule checks it per frequency).
SETPOS_RANGES = {"YEARLY": 366, "MONTHLY": 31, "WEEKLY": 53, "DAILY": 366}
FILE_URLS = [
 "file://localhost/x", "file://[::1]/x", "file://C:/x", "file://xn--bcher-kva/x", "file://%41/x", "file://host:80/x",
 "file:///C|/x", "file:\\\\server\\share\\f", "file://bücher/x", "file://a..b/x",
]


def punycode(text):
    """`text` as an IDNA label in punycode ("xn--" and its ASCII encoding)."""
    return "xn--" + text.encode("punycode").decode("ascii")


def hosts():
    """Host names that hold each character of CHARACTERS where IDNA's checks look at it."""
    for cp in CHARACTERS:
        c = chr(cp)
        yield from (f"{c}.se", f"a{c}.se", f"{c}a.se", f"\u05d0{c}\u05d0.se", f"1{c}.se", f"a.{c}")
        yield punycode("a" + c) + ".se"


def unicode_classes():
    """One character of each class UTS 46 can tell apart by what it maps to, in each 4096-block:
    unchanged, gone, one character or several under NFKC and case folding (with a dot or an ASCII
    symbol among them), times its general category and bidi class. From Python's own Unicode
    tables (unicodedata), so the list follows the Python that runs this."""
    first = {}
    for cp in range(0xA0, 0x110000):
        c = chr(cp)
        if 0xD800 <= cp < 0xE000 or (unicodedata.category(c) == "Cn" and cp % 0x1000):
            continue
        mapped = unicodedata.normalize("NFKC", c).casefold()
        kind = "same" if mapped == c else "gone" if not mapped else "one" if len(mapped) == 1 else "many"
        dot = any(m in mapped for m in ".\u3002")
        symbol = any(ord(m) < 0x80 and not m.isalnum() and m not in "-." for m in mapped)
        key = (kind, dot, symbol, unicodedata.category(c), unicodedata.bidirectional(c), min(cp >> 12, 0x20))
        first.setdefault(key, c)
    return list(first.values())


def hosts_23():
    """Host names with each character of unicode_classes(), as written and as punycode, then each
    of normalization_strings() the same way, then bidi_labels() and idna_labels()."""
    for c in unicode_classes():
        yield from (f"a{c}.se", f"{c}.se", punycode("a" + c) + ".se")
    for text in normalization_strings():
        yield from (f"{text}.se", punycode(text) + ".se")
    yield from bidi_labels()
    yield from idna_labels()


# Round 23, second batch: strings whose normalization takes each path (Hangul syllables and jamo,
# composition exclusions, singletons, marks that compose only after reordering).
NORMALIZATION = [
 "\u1100\u1161", "\u1100\u1161\u11a8", "\uac00\u11a8", "\uac01", "\u11a8", "\u1160", "\u3131", "\uffa1",
 "\u0958", "\u2126", "\u212b", "\u0344", "\u0f73", "\u0f77", "\u1e9b\u0323", "\ufb2c", "\U0001d15e",
 "\U000110ab", "\u09c7\u09be", "\u0b47\u0b56", "\u0cc6\u0cd5\u0cd6", "\U00011131\U00011127",
 "a\u0323\u0308", "a\u0308\u0323", "\u00e4\u0323", "o\u031b\u0323\u0301", "\u0391\u0313\u0342\u0345",
 "\u00c5\u0301", "\u0fb2\u0f80\u0f71", "\u0069\u0307", "\u01c4", "\u0132", "\u3300", "\ufdfa", "\ufb01",
]


def normalization_strings():
    """NORMALIZATION; a character of each kind of decomposition (canonical or which compatibility
    tag, how many parts, whether a part is a mark, above U+FFFF or not, changed by NFC or not),
    alone and before marks of classes 220 and 230; and after a letter, a mark of each combining
    class, and each pair of neighbouring classes in the wrong order, which NFC must reorder."""
    yield from NORMALIZATION
    kinds, marks = {}, {}
    for cp in range(0xA0, 0x110000):
        c = chr(cp)
        if unicodedata.combining(c):
            marks.setdefault(unicodedata.combining(c), c)
        decomposition = unicodedata.decomposition(c).split()
        if not decomposition:
            continue
        tag = decomposition[0] if decomposition[0].startswith("<") else ""
        parts = [chr(int(x, 16)) for x in decomposition if not x.startswith("<")]
        key = (tag, min(len(parts), 4), any(unicodedata.combining(p) for p in parts), cp > 0xFFFF,
               unicodedata.normalize("NFC", c) == c)
        kinds.setdefault(key, c)
    for c in kinds.values():
        yield from (c, c + "\u0323", c + "\u0301")
    classes = sorted(marks)
    for ccc in classes:
        yield "a" + marks[ccc]
    for low, high in zip(classes, classes[1:]):
        yield "a" + marks[high] + marks[low]


def bidi_labels():
    """Labels for each case of the bidi rule (RFC 5893): one that starts with a letter of class L,
    R or AL, then a character of each bidi class, then one of the classes a label may or may not
    end in; each in a domain with a right-to-left label beside it, which makes the rule apply."""
    first = {}
    for cp in range(0xA0, 0x110000):
        c = chr(cp)
        if unicodedata.category(c) not in ("Cn", "Cs"):
            first.setdefault(unicodedata.bidirectional(c), c)
    first.update(L="a", EN="1")
    for start in ("L", "R", "AL"):
        for middle in sorted(first):
            for end in (start, "EN", "AN", "NSM", "ON"):
                yield first[start] + first[middle] + first[end] + ".\u05d0"


# Round 23, third batch: the starts and ends of labels that choose IDNA's paths: the ASCII fast
# path, punycode prefixes in each case and as characters that map to them, and endings that are
# a hyphen, a mapped dot, a joiner or a mark.
LABEL_STARTS = ["", "A", "Ab", "xn--", "XN--", "Xn--ab", "\uff58\uff4e--", "xn\uff0d\uff0d", "xn--a-"]
LABEL_ENDS = ["", "a", "\u00e4", "\u00c4", "\u2488", "\u3002", "-", "\u200d", "\u00df", "\u0301", "\U0001f600"]


def idna_labels():
    """Each LABEL_START followed by each LABEL_END, alone, as a second label, and with a label
    too long to decode as punycode."""
    for start in LABEL_STARTS:
        for end in LABEL_ENDS:
            label = start + end
            yield from (f"{label}.se", f"a.{label}", f"{label}{'b' * 70}.se")


# Round 23, fourth batch: MARCXML records, each code of leader/06 with each of 008/22 (audience)
# and 008/23 (form), and the other fields in turn: shelf words, dates, ISBNs, titles and names.
MARC_KINDS, MARC_AUDIENCES, MARC_FORMS = "atijgmuvc", "abcdegj |", "doqsr |"
MARC_WORDS = [
 "Barn 6-9", "Ungdom", "Unga vuxna", "Vuxen", "Bilderbok", "Ljudbok", "Talbok", "E-bok", "Storstil", "DVD",
 "Blu-ray", "Musik", "CD-skiva", "Bok", "Juvenile fiction", "Large print", "", " ", "x" * 81, "Hylla \u00c5",
]
MARC_DATES = ["2026-11-30", "20261130", "2026-13-01", "2026", "30/11/2026", "", "2026-02-29", "2024-02-29T10:00:00"]
MARC_ENTERED = ["261130", "691231", "000229", "990229", "26113", "", "68013", "aabbcc", "\u00e5\u00e4\u00f6123"]
MARC_ISBNS = [
 "91-0-012345-X", "978-91-0-012345-6 (inb.)", "9789100123456", "9789100123457", "0-306-40615-2", "ISBN 0306406152",
 "979-10-90636-07-1", "", "97891001234561234", "\uff19\uff17\uff18",
]
MARC_TITLES = [("Pippi L\u00e5ngstrump /", ""), ("Mio, min Mio :", "ber\u00e4ttelse /"), (" ", " "), ("", "b")]
MARC_NAMES = ["Lindgren, Astrid, 1907-2002.", "Lindgren, Astrid", "Astrid Lindgren", ",", "Tove", ""]


def marc_records():
    """One MARCXML record for each leader/06 × 008/22 × 008/23, with the other fields in turn."""
    n = 0

    def pick(values):
        return values[n % len(values)]

    for kind in MARC_KINDS:
        for audience in MARC_AUDIENCES:
            for form in MARC_FORMS:
                title, subtitle = pick(MARC_TITLES)
                f008 = pick(MARC_ENTERED).ljust(22, " ")[:22] + audience + form
                yield ('<record xmlns="http://www.loc.gov/MARC21/slim">'
                       f'<leader>00000n{kind}m a2200000 a 4500</leader>'
                       f'<controlfield tag="008">{f008}</controlfield>'
                       f'<datafield tag="020" ind1=" " ind2=" "><subfield code="a">{pick(MARC_ISBNS)}</subfield></datafield>'
                       f'<datafield tag="084" ind1=" " ind2=" "><subfield code="a">{"uHc" if n % 2 else "Hc"}</subfield>'
                       f'<subfield code="2">kssb/8</subfield></datafield>'
                       f'<datafield tag="100" ind1="1" ind2=" "><subfield code="a">{pick(MARC_NAMES)}</subfield></datafield>'
                       f'<datafield tag="245" ind1="1" ind2="0"><subfield code="a">{title}</subfield>'
                       + (f'<subfield code="b">{subtitle}</subfield>' if subtitle else "") + '</datafield>'
                       f'<datafield tag="952" ind1=" " ind2=" "><subfield code="c">{pick(MARC_WORDS)}</subfield>'
                       f'<subfield code="d">{pick(MARC_DATES)}</subfield></datafield>'
                       f'<datafield tag="852" ind1=" " ind2=" "><subfield code="b">{MARC_WORDS[(n * 7) % len(MARC_WORDS)]}</subfield></datafield>'
                       '</record>')
                n += 1


# Round 23, fifth batch: the bundled staff files with one value at a time replaced by a value of
# each TOML type and of each shape the checker reads (durations, times, days, sizes, addresses).
VALUES = [
 '""', '"x"', "0", "-1", "4294967296", "1.5", "nan", "true", "[]", '["a", 1]', "{}", "{ a = 1 }",
 "2026-12-24", "2026-12-24T10:00:00+01:00", "10:00:00", '"0s"', '"25:00"', '"99999999999h"',
 '"A\u0308\u200d"', '"https://bibliotekvarmland.se/x"', '"file:///etc/passwd"', '"3840x2160"', '"-1 mm"',
 '"m\u00e5n-fre 10-19"', '"2026-02-30"',
]


def bundled(suffix):
    """The files of this checkout's kiosk/ and playlists/ (and its folders) whose names end in
    suffix, in order."""
    names = glob.glob(os.path.join(ROOT, "kiosk", "*" + suffix))
    names += glob.glob(os.path.join(ROOT, "playlists", "**", "*" + suffix), recursive=True)
    return sorted(names)


def bundled_variants():
    """Each bundled staff file (kiosk/ and playlists/ of this checkout) with the value of one
    `key = value` line (commented out or not) replaced by each of VALUES."""
    for name in bundled(".toml"):
        with open(name, encoding="utf-8") as f:
            lines = f.read().split("\n")
        for i, line in enumerate(lines):
            key, eq, _ = line.lstrip("# ").partition(" = ")
            if not eq or not key.replace("_", "").replace("-", "").isalnum():
                continue
            indent = line[: len(line) - len(line.lstrip(" "))]
            for value in VALUES:
                yield "\n".join(lines[:i] + [f"{indent}{key} = {value}"] + lines[i + 1:])


# Strings tried against a field's pattern, for an example value that passes it.
PATTERN_EXAMPLES = ["8s", "10-19", "2026-12-24", "2 GB", "55in", "0123456789abcdef" * 4,
                    "https://bibliotekvarmland.se/", "x"]
# Each kind of file has a key by which the checker knows it (check::detect_kind).
KIND_KEYS = {"screen.schema.json": {"id": '"karlstad-entre"'}}


def quoted(text):
    """text as a TOML basic string (JSON's escapes are TOML's too)."""
    return json.dumps(text, ensure_ascii=False)


def example(schema):
    """A value (TOML text, or a dict or list of them) that passes a JSON Schema node."""
    if "const" in schema:
        return quoted(schema["const"])
    if "enum" in schema:
        return quoted(schema["enum"][0])
    if "anyOf" in schema:
        return example(schema["anyOf"][0])
    if "allOf" in schema:
        return variant_example(schema["allOf"][0])
    kind = schema.get("type")
    if kind == "string":
        if "pattern" not in schema:
            return quoted("Fråga")
        pattern = re.compile(schema["pattern"])
        return quoted(next(s for s in PATTERN_EXAMPLES if pattern.search(s)))
    if kind == "integer":
        return str(schema.get("minimum", 0))
    if kind == "boolean":
        return "true"
    if kind == "array":
        return [example(schema["items"])]
    return {k: example(v) for k, v in schema.get("properties", {}).items() if k in schema.get("required", [])}


def variant_example(branch):
    """The smallest table of one variant of a tagged table (one `if`/`then` of its `allOf`)."""
    then = branch["then"]
    table = {k: example(v) for k, v in then["properties"].items() if k in then.get("required", [])}
    tag, = branch["if"]["properties"]
    table[tag] = quoted(branch["if"]["properties"][tag]["const"])
    return table


def inline(value):
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {inline(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(inline(v) for v in value) + "]"
    return value


def to_toml(doc):
    """A document as staff write one: plain keys first, then [table]s and [[array]] tables."""
    lines, tables = [], []
    for key, value in doc.items():
        if isinstance(value, dict):
            tables.append(f"\n[{key}]\n" + "".join(f"{k} = {inline(v)}\n" for k, v in value.items()))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                tables.append(f"\n[[{key}]]\n" + "".join(f"{k} = {inline(v)}\n" for k, v in item.items()))
        else:
            lines.append(f"{key} = {inline(value)}\n")
    return "".join(lines) + "".join(tables)


def field_values(schema):
    """VALUES, leaving the field out (None), and values of the field's own type at its edges."""
    yield None
    yield from VALUES
    for node in schema.get("anyOf", [schema]):
        if "enum" in node:
            for value in node["enum"]:
                yield from [quoted(value), quoted(value.upper()), quoted(f" {value}")]
        if node.get("type") == "integer":
            low, high = node.get("minimum", 0), node.get("maximum", 0)
            yield from (str(n) for n in [low - 1, low, high, high + 1])
            yield from [quoted(str(low)), quoted(f" {high} "), "0x10", "0o17", "0b1", "+5", "1_0"]
        if node.get("type") == "string" and "pattern" in node:
            pattern = re.compile(node["pattern"])
            for text in (s for s in PATTERN_EXAMPLES if pattern.search(s)):
                yield quoted(text)
                yield from (quoted(v) for v in text_edges(text))
        if node.get("type") == "array":
            item = example(node["items"])
            yield from ["[]", inline([item]), inline([item, item]), inline([[item]])]


def text_edges(text):
    """A valid text with a character of each UTF-8 length, a no-break space and an Arabic-Indic
    digit put at its start, inside and at its end; and with its first number replaced by numbers
    that overflow or are not quite numbers."""
    for char in ["\u00e4", "\u20ac", "\U0001f600", "\u00a0", "\u0660"]:
        for at in [0, 1, len(text)]:
            yield text[:at] + char + text[at:]
    for number in ["4294967296", "18446744073709551616", "9" * 40, "0" * 30 + "1", "1e3", ".5", "5.", "1,5",
                   "-0", "+1", "\uff11"]:
        yield re.sub(r"\d+", number, text, count=1)


def fields(schema, path=()):
    """(path, schema) of each field of a table's schema, into its tables and its variants: a path
    is keys, and (table,) for an array of one table, which starts as that table: the smallest of
    the array's tables, or of one variant where they are tagged."""
    for key, node in schema.get("properties", {}).items():
        items = node.get("items", {}) if node.get("type") == "array" else {}
        if "allOf" in items:
            for branch in items["allOf"]:
                table = variant_example(branch)
                for name, field in branch["then"]["properties"].items():
                    yield (*path, key, (table,), name), field
        elif items.get("type") == "object":
            yield from fields(items, (*path, key, (example(items),)))
        elif node.get("type") == "object":
            yield from fields(node, (*path, key))
        yield (*path, key), node


def with_value(doc, path, value):
    """A copy of doc with the field at path set to value (None leaves it out), making the tables
    and arrays on the way."""
    doc = dict(doc)
    key, rest = path[0], path[1:]
    if not rest:
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
        return doc
    if isinstance(rest[0], tuple):
        doc[key] = [with_value(rest[0][0], rest[1:], value)]
    else:
        doc[key] = with_value(doc.get(key, {}) if isinstance(doc.get(key), dict) else {}, rest, value)
    return doc


def schema_variants():
    """For each kind of staff file, from its JSON Schema (`vitrin schema`, kept beside the bundled
    files): the smallest file (the required fields, each with an example of its type), and it with
    each field of each table and each slide kind set to each of field_values()."""
    for name in bundled(".schema.json"):
        with open(name, encoding="utf-8") as f:
            schema = json.load(f)
        base = {**KIND_KEYS.get(os.path.basename(name), {}), **example(schema)}
        yield to_toml(base)
        for path, field in fields(schema):
            for value in field_values(field):
                yield to_toml(with_value(base, path, value))


def rrules_23():
    """BYSETPOS at and past the ends of its range under each frequency, alone and with BYDAY;
    BYWEEKNO around the year's ends under each week start; and UNTIL in odd shapes."""
    for freq, end in SETPOS_RANGES.items():
        for pos in [end, end + 1, -end, -end - 1, 1]:
            yield f"FREQ={freq};BYSETPOS={pos};BYDAY=MO,TU,WE,TH,FR;COUNT=3"
            yield f"FREQ={freq};BYSETPOS={pos}"
    for wkst in WEEKDAYS:
        for week in ["1", "2", "52", "53", "-1", "-52", "-53"]:
            yield f"FREQ=YEARLY;WKST={wkst};BYWEEKNO={week};BYDAY=MO,SU;COUNT=4"
        yield f"FREQ=WEEKLY;WKST={wkst};INTERVAL=2;BYDAY=MO,SU;COUNT=4"
    for until in UNTILS_23:
        yield f"FREQ=WEEKLY;BYDAY=TH;UNTIL={until}"


def rrules():
    """Each frequency with each BY part at the ends of its range and just past them."""
    for freq in ["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY"]:
        for part, values in RRULE_PARTS.items():
            for value in values:
                yield f"FREQ={freq};{part}={value};COUNT=3"


def ics(event, start="DTSTART;TZID=Europe/Stockholm:20261210T100000\r\nDTEND;TZID=Europe/Stockholm:20261210T110000\r\n"):
    """A calendar of one event at Karlstad, with `event` (lines ending in CRLF) among its properties."""
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//seed//\r\nBEGIN:VEVENT\r\nUID:s@x\r\n" + start +
            "SUMMARY:Sagostund för barn\r\nLOCATION:Karlstads stadsbibliotek\r\n" + event +
            "END:VEVENT\r\nEND:VCALENDAR\r\n")


def seeds():
    """(target, text) for each seed."""
    for u in URLS + [f"https://{h}/" for h in hosts()] + FILE_URLS:
        yield "calendar", ics(f"URL:{u}\r\n")
        rss = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Nytt</title><item><title>Bok</title>'
               f'<link>{u}</link><enclosure url="{u}" type="image/jpeg"/><guid>{u}</guid></item></channel></rss>')
        atom = (f'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{u}"><entry><title>Bok</title>'
                f'<link rel="alternate" href="{u}"/><link rel="http://opds-spec.org/image" href="{u}" type="image/jpeg"/>'
                f'</entry></feed>')
        yield "catalog", rss.replace("&", "&amp;")
        yield "catalog", atom.replace("&", "&amp;")
        toml = quoted(u)
        yield "check_toml", f'name = "Fråga"\n\n[[slide]]\nkind = "qr"\ntitle = "Fråga"\nurl = {toml}\nduration = "15s"\n'
        yield "check_toml", f'id = "karlstad-entre"\nfeed = {toml}\nheartbeat_url = {toml}\n'
    for rule in RRULES + list(rrules()):
        yield "calendar", ics(f"RRULE:{rule}\r\nEXDATE;TZID=Europe/Stockholm:20261217T100000\r\n")
    for start in STARTS:
        for until in UNTILS:
            yield "calendar", ics(f"RRULE:FREQ=WEEKLY;BYDAY=TH{until}\r\nEXDATE:20261217T100000Z\r\n", start)
    yield from round_23()
    for text in schema_variants():
        yield "check_toml", text


def round_23():
    """(target, text) for each seed added in round 23."""
    for u in [f"https://{h}/" for h in hosts_23()]:
        yield "calendar", ics(f"URL:{u}\r\n")
        yield "catalog", f'<rss version="2.0"><channel><item><title>Bok</title><link>{u}</link></item></channel></rss>'
        yield "check_toml", f'name = "Fråga"\n\n[[slide]]\nkind = "qr"\ntitle = "Fråga"\nurl = "{u}"\n'
    for record in marc_records():
        yield "catalog", record
    for text in bundled_variants():
        yield "check_toml", text
    for rule in rrules_23():
        yield "calendar", ics(f"RRULE:{rule}\r\n")
        yield "calendar", ics(f"RRULE:{rule}\r\n", STARTS[0])
    for at in DST_TIMES:
        start = f"DTSTART;TZID={at}\r\nDTEND;TZID={at[:-2]}59\r\n"
        for rule in ["FREQ=DAILY;COUNT=3", "FREQ=WEEKLY;UNTIL=" + at.split(":")[1], "FREQ=YEARLY;COUNT=2", ""]:
            lines = (f"RRULE:{rule}\r\n" if rule else "") + f"EXDATE;TZID={at}\r\nRDATE;TZID={at}\r\n"
            yield "calendar", ics(lines, start)
        yield "calendar", ics(f"RRULE:FREQ=DAILY;COUNT=3\r\nEXDATE:{at.split(':')[1]}\r\n",
                              "DTSTART;VALUE=DATE:" + at.split(":")[1][:8] + "\r\n")


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
