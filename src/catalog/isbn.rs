//! ISBNs as catalogs write them: hyphens, spaces, a lower-case `x`, qualifiers such as `(inb.)` or
//! `pbk. :`. Normalised, checked, and converted between ISBN-10 and ISBN-13.

use std::fmt;

/// A valid ISBN, held as its 13 digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Isbn([u8; 13]);

/// Why a text is not an ISBN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IsbnError {
    #[error("\"{0}\" has no ISBN in it")]
    NotFound(String),
    #[error("\"{0}\" is not 10 or 13 characters long")]
    Length(String),
    #[error("\"{0}\" has a wrong check digit")]
    CheckDigit(String),
    #[error("\"{0}\" is a 13-digit code that is not a book number (ISBNs start with 978 or 979)")]
    NotBookland(String),
}

impl Isbn {
    /// Finds and checks the ISBN in a catalog field: `"978-91-502-2231-9 (inb.)"`,
    /// `"ISBN:0-8044-2957-x"`, `"(0373197527pbk.) :"`.
    pub fn parse(text: &str) -> Result<Isbn, IsbnError> {
        let candidate = extract(text).ok_or_else(|| IsbnError::NotFound(text.trim().into()))?;
        match candidate.len() {
            10 => {
                if !isbn10_check_ok(&candidate) {
                    return Err(IsbnError::CheckDigit(candidate));
                }
                let mut digits = [0u8; 13];
                digits[..3].copy_from_slice(&[9, 7, 8]);
                for (i, c) in candidate.bytes().take(9).enumerate() {
                    digits[3 + i] = c - b'0';
                }
                digits[12] = isbn13_check_digit(&digits[..12]);
                Ok(Isbn(digits))
            }
            13 => {
                if candidate.contains('X') {
                    return Err(IsbnError::CheckDigit(candidate));
                }
                let digits: Vec<u8> = candidate.bytes().map(|c| c - b'0').collect();
                if !(digits.starts_with(&[9, 7, 8]) || digits.starts_with(&[9, 7, 9])) {
                    return Err(IsbnError::NotBookland(candidate));
                }
                if isbn13_check_digit(&digits[..12]) != digits[12] {
                    return Err(IsbnError::CheckDigit(candidate));
                }
                Ok(Isbn(digits.try_into().expect("13 digits")))
            }
            _ => Err(IsbnError::Length(candidate)),
        }
    }

    /// The 13 digits, without hyphens.
    pub fn isbn13(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// The ISBN-10 form, which exists only for 978 numbers.
    pub fn isbn10(&self) -> Option<String> {
        if self.0[..3] != [9, 7, 8] {
            return None;
        }
        let body = &self.0[3..12];
        let sum: u32 = body
            .iter()
            .enumerate()
            .map(|(i, d)| (10 - i as u32) * u32::from(*d))
            .sum();
        let check = (11 - sum % 11) % 11;
        let mut out: String = body.iter().map(|d| char::from(b'0' + d)).collect();
        out.push(if check == 10 {
            'X'
        } else {
            char::from(b'0' + check as u8)
        });
        Some(out)
    }
}

impl fmt::Display for Isbn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.isbn13())
    }
}

/// The first run of digits (with hyphens or spaces inside, and a final X) long enough to be an
/// ISBN, upper-cased and without separators.
fn extract(text: &str) -> Option<String> {
    let text = text.trim();
    let text = text
        .strip_prefix("ISBN:")
        .or_else(|| text.strip_prefix("ISBN"))
        .or_else(|| text.strip_prefix("isbn:"))
        .or_else(|| text.strip_prefix("urn:isbn:"))
        .unwrap_or(text);
    let mut best: Option<String> = None;
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i <= chars.len() {
        let c = chars.get(i).copied();
        match c {
            Some(d) if d.is_ascii_digit() => current.push(d),
            Some('x' | 'X') if current.len() == 9 || current.len() == 12 => {
                current.push('X');
                // An X ends the number.
                best = pick(best, std::mem::take(&mut current));
            }
            Some('-' | ' ' | '\u{2010}' | '\u{2011}')
                if !current.is_empty()
                    && chars
                        .get(i + 1)
                        .is_some_and(|n| n.is_ascii_digit() || *n == 'x' || *n == 'X') => {}
            _ => {
                if !current.is_empty() {
                    best = pick(best, std::mem::take(&mut current));
                }
            }
        }
        if best.is_some() {
            break;
        }
        i += 1;
    }
    best
}

fn pick(best: Option<String>, candidate: String) -> Option<String> {
    if best.is_some() {
        return best;
    }
    (candidate.len() >= 10).then_some(candidate)
}

fn isbn10_check_ok(s: &str) -> bool {
    let sum: u32 = s
        .bytes()
        .enumerate()
        .map(|(i, c)| {
            let v = if c == b'X' { 10 } else { u32::from(c - b'0') };
            // An X is only allowed as the check digit.
            if c == b'X' && i != 9 {
                return 1000;
            }
            (10 - i as u32) * v
        })
        .sum();
    sum.is_multiple_of(11)
}

fn isbn13_check_digit(first12: &[u8]) -> u8 {
    let sum: u32 = first12
        .iter()
        .enumerate()
        .map(|(i, d)| u32::from(*d) * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_from_the_issue() {
        let i = Isbn::parse("978-0-306-40615-7").unwrap();
        assert_eq!(i.isbn13(), "9780306406157");
        assert_eq!(i.isbn10().as_deref(), Some("0306406152"));

        assert_eq!(
            Isbn::parse("0-8044-2957-X").unwrap().isbn13(),
            "9780804429573"
        );
        assert_eq!(
            Isbn::parse("0-8044-2957-x").unwrap().isbn13(),
            "9780804429573"
        );

        let sv = Isbn::parse("978-91-502-2231-9").unwrap();
        assert_eq!(sv.isbn10().as_deref(), Some("9150222317"));
        assert_eq!(
            Isbn::parse("91-27-10850-3").unwrap().isbn13(),
            "9789127108509"
        );

        let fr = Isbn::parse("979-10-90636-07-1").unwrap();
        assert_eq!(fr.isbn13(), "9791090636071");
        assert_eq!(fr.isbn10(), None);

        assert!(matches!(
            Isbn::parse("978-0-306-40615-8"),
            Err(IsbnError::CheckDigit(_))
        ));
        assert!(Isbn::parse("978184533213X").is_err());
        assert!(Isbn::parse("978031600000X").is_err());
        assert!(matches!(
            Isbn::parse("8901452100503"),
            Err(IsbnError::NotBookland(_))
        ));
    }

    #[test]
    fn qualifiers_and_prefixes() {
        assert_eq!(
            Isbn::parse("978-91-502-2231-9 (inb.)").unwrap().isbn13(),
            "9789150222319"
        );
        assert_eq!(
            Isbn::parse("ISBN:9150222317").unwrap().isbn13(),
            "9789150222319"
        );
        assert_eq!(
            Isbn::parse("(0373197527pbk.) :").unwrap().isbn13(),
            "9780373197521"
        );
        assert_eq!(
            Isbn::parse("urn:isbn:9780306406157").unwrap().isbn13(),
            "9780306406157"
        );
        assert!(matches!(Isbn::parse("pbk."), Err(IsbnError::NotFound(_))));
        assert!(matches!(Isbn::parse(""), Err(IsbnError::NotFound(_))));
    }

    #[test]
    fn round_trips() {
        for isbn10 in ["0306406152", "9150222317", "080442957X", "9127108503"] {
            let i = Isbn::parse(isbn10).unwrap();
            assert_eq!(i.isbn10().as_deref(), Some(isbn10));
            assert_eq!(Isbn::parse(&i.isbn13()).unwrap(), i);
        }
    }
}
