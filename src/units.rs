//! Quantities written the way people write them: durations (`"8s"`, `"1m30s"`, `"1h"`,
//! `"500ms"`, `"2 min"`), sizes in bytes (`"500 MB"`, `"1.5 GiB"`) and lengths (`"3m"`,
//! `"55in"`).

use std::fmt;
use std::time::Duration;

/// Why a duration could not be read; the message is meant for the person who wrote it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("duration is empty")]
    Empty,
    #[error("duration \"{0}\" has no unit")]
    NoUnit(String),
    #[error("unknown unit \"{unit}\" in duration \"{text}\"")]
    UnknownUnit { text: String, unit: String },
    #[error("\"{0}\" is not a duration")]
    Invalid(String),
}

impl DurationError {
    /// What to write instead.
    pub fn hint(&self) -> &'static str {
        match self {
            DurationError::NoUnit(_) => "add a unit: \"8s\" is eight seconds, \"2m\" two minutes",
            _ => "write durations like \"8s\", \"1m30s\", \"2m\" or \"1h\"",
        }
    }
}

/// Parses a human duration. Units: `h`, `m`/`min`, `s`/`sek`/`sec`, `ms`; several parts may follow
/// each other (`"1m30s"`, `"1h 15m"`), and a part may have decimals (`"1.5s"`).
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(DurationError::Empty);
    }
    let mut total = 0f64;
    let mut rest = trimmed;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
            .unwrap_or(rest.len());
        if number_len == 0 {
            return Err(DurationError::Invalid(text.to_string()));
        }
        let number: f64 = rest[..number_len]
            .replace(',', ".")
            .parse()
            .map_err(|_| DurationError::Invalid(text.to_string()))?;
        rest = rest[number_len..].trim_start();
        let unit_len = rest
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(rest.len());
        if unit_len == 0 {
            return Err(DurationError::NoUnit(text.to_string()));
        }
        let unit = &rest[..unit_len];
        let seconds_per_unit = match unit.to_lowercase().as_str() {
            "d" | "day" | "days" | "dag" | "dagar" => 86400.0,
            "h" | "t" | "tim" | "timmar" | "hour" | "hours" => 3600.0,
            "m" | "min" | "mins" | "minute" | "minutes" | "minut" | "minuter" => 60.0,
            "s" | "sek" | "sec" | "secs" | "second" | "seconds" | "sekund" | "sekunder" => 1.0,
            "ms" => 0.001,
            _ => {
                return Err(DurationError::UnknownUnit {
                    text: text.to_string(),
                    unit: unit.to_string(),
                });
            }
        };
        total += number * seconds_per_unit;
        rest = rest[unit_len..].trim_start();
    }
    if !total.is_finite() || total > 366.0 * 24.0 * 3600.0 {
        return Err(DurationError::Invalid(text.to_string()));
    }
    Ok(Duration::from_secs_f64(total))
}

/// Writes a duration back the way `parse_duration` reads it: `8s`, `1m30s`, `1h`, `1.5s`.
pub struct Human(pub Duration);

impl fmt::Display for Human {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = self.0.as_millis();
        if millis == 0 {
            return f.write_str("0s");
        }
        if millis < 1000 {
            return write!(f, "{millis}ms");
        }
        let secs = self.0.as_secs();
        let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
        let frac = millis % 1000;
        if h > 0 {
            write!(f, "{h}h")?;
        }
        if m > 0 {
            write!(f, "{m}m")?;
        }
        if s > 0 || frac > 0 {
            if frac > 0 {
                let decimals = format!("{frac:03}");
                write!(f, "{s}.{}s", decimals.trim_end_matches('0'))?;
            } else {
                write!(f, "{s}s")?;
            }
        }
        Ok(())
    }
}

/// Parses a size in bytes: `"500 MB"`, `"2GB"`, `"1.5 GiB"`, `"1000000"`. Units are decimal
/// (`kb`, `mb`, `gb`, `tb`) or binary (`kib`, `mib`, `gib`), in any case.
pub fn parse_byte_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let number: f64 = t[..split].parse().ok()?;
    let unit = t[split..].trim().to_lowercase();
    let factor: f64 = match unit.as_str() {
        "" | "b" => 1.0,
        "kb" | "k" => 1e3,
        "mb" | "m" => 1e6,
        "gb" | "g" => 1e9,
        "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let bytes = number * factor;
    (bytes.is_finite() && bytes >= 0.0).then_some(bytes as u64)
}

/// Parses a length as people write it, in millimetres: `"3m"`, `"250 cm"`, `"55in"`, `"55\""`,
/// `"55 tum"`. `None` when it has no known unit or is not a positive number.
pub fn parse_length_mm(text: &str) -> Option<f64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(t.len());
    let number: f64 = t[..split].replace(',', ".").parse().ok()?;
    let factor = match t[split..].trim().to_lowercase().as_str() {
        "mm" => 1.0,
        "cm" => 10.0,
        "m" | "meter" | "metre" => 1000.0,
        "in" | "inch" | "inches" | "tum" | "\"" => 25.4,
        "ft" | "feet" | "fot" => 304.8,
        _ => return None,
    };
    let mm = number * factor;
    (mm.is_finite() && mm > 0.0).then_some(mm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_in_metres_centimetres_and_inches() {
        assert_eq!(parse_length_mm("3m"), Some(3000.0));
        assert_eq!(parse_length_mm("2,5 m"), Some(2500.0));
        assert_eq!(parse_length_mm("250 cm"), Some(2500.0));
        assert_eq!(parse_length_mm("55in"), Some(1397.0));
        assert_eq!(parse_length_mm("55\""), Some(1397.0));
        assert_eq!(parse_length_mm("55 tum"), Some(1397.0));
        for bad in ["55", "3 km", "-1m", "0m", "m"] {
            assert_eq!(parse_length_mm(bad), None, "{bad}");
        }
    }

    #[test]
    fn reads_what_people_write() {
        let cases = [
            ("8s", 8.0),
            ("1m30s", 90.0),
            ("90s", 90.0),
            ("2 min", 120.0),
            ("1h 15m", 4500.0),
            ("1.5s", 1.5),
            ("500ms", 0.5),
            ("10 sek", 10.0),
        ];
        for (text, secs) in cases {
            assert_eq!(
                parse_duration(text).unwrap(),
                Duration::from_secs_f64(secs),
                "{text}"
            );
        }
    }

    #[test]
    fn refuses_what_is_not_a_duration() {
        assert_eq!(parse_duration("8"), Err(DurationError::NoUnit("8".into())));
        assert_eq!(parse_duration(""), Err(DurationError::Empty));
        assert!(matches!(
            parse_duration("8 parsecs"),
            Err(DurationError::UnknownUnit { .. })
        ));
        assert!(matches!(
            parse_duration("s8"),
            Err(DurationError::Invalid(_))
        ));
    }

    #[test]
    fn round_trips_through_display() {
        for text in ["8s", "1m30s", "1h", "1.5s", "500ms", "2h5m3s"] {
            let d = parse_duration(text).unwrap();
            assert_eq!(Human(d).to_string(), text);
        }
    }
    #[test]
    fn byte_sizes() {
        assert_eq!(parse_byte_size("2 GB"), Some(2_000_000_000));
        assert_eq!(parse_byte_size("500MB"), Some(500_000_000));
        assert_eq!(parse_byte_size("1 GiB"), Some(1 << 30));
        assert_eq!(parse_byte_size("12"), Some(12));
        assert_eq!(parse_byte_size("lots"), None);
        assert_eq!(parse_byte_size("2 parsecs"), None);
    }
}
