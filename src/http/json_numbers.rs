//! Whole numbers written with a fraction or an exponent (`7.0`, `1.5e1`) in JSON bodies.
//!
//! JSON Schema's `integer` is a number with a zero fractional part, so a client (or a
//! generator) may write `7.0` where the spec says `type: integer`; serde refuses it as
//! "expected i32". Before typed parsing, such a literal is rewritten as the integer it is.
//! A real fraction (`7.5`) and integers too large for any integer field are left as they
//! are, and so still refused where an integer is expected.

use std::borrow::Cow;

/// Longest integer (in digits) written out: past `u64::MAX` no field can hold it anyway.
const MAX_DIGITS: usize = 20;

/// `body` with every integral non-integer number literal outside strings written as an
/// integer. Borrowed when there is nothing to rewrite (the usual case).
pub fn integral_numbers(body: &[u8]) -> Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'"' => i = skip_string(body, i),
            b'-' | b'0'..=b'9' => {
                let end = number_end(body, i);
                if let Some(int) = as_integer(&body[i..end]) {
                    let buf = out.get_or_insert_with(|| Vec::with_capacity(body.len()));
                    buf.extend_from_slice(&body[copied..i]);
                    buf.extend_from_slice(int.as_bytes());
                    copied = end;
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    match out {
        None => Cow::Borrowed(body),
        Some(mut buf) => {
            buf.extend_from_slice(&body[copied..]);
            Cow::Owned(buf)
        }
    }
}

/// The index just past the string starting at `start` (a `"`), or the end of the body.
fn skip_string(body: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < body.len() {
        match body[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    body.len()
}

fn number_end(body: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < body.len() && matches!(body[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') {
        i += 1;
    }
    i
}

/// The integer a JSON number literal with a fraction or exponent denotes, if it is one.
/// Malformed literals are left for the parser to report.
fn as_integer(lit: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(lit).ok()?;
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exp) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], text[at + 1..].parse::<i64>().ok()?),
        None => (text, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if !mantissa.contains('.') && !text.contains(['e', 'E']) {
        return None; // already an integer literal
    }
    let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let malformed = int.is_empty()
        || (mantissa.contains('.') && frac.is_empty())
        || !digits_ok(int)
        || !digits_ok(frac)
        || (int.len() > 1 && int.starts_with('0'));
    if malformed {
        return None;
    }
    let mut digits: String = format!("{int}{frac}");
    let mut exp = exp.checked_sub(i64::try_from(frac.len()).ok()?)?;
    while exp < 0 && digits.ends_with('0') {
        digits.pop();
        exp += 1;
    }
    if exp < 0 {
        return None;
    }
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Some("0".to_owned());
    }
    let len = digits.len().checked_add(usize::try_from(exp).ok()?)?;
    if len > MAX_DIGITS {
        return None;
    }
    let mut s = String::with_capacity(len + 1);
    if negative {
        s.push('-');
    }
    s.push_str(digits);
    s.extend(std::iter::repeat_n('0', usize::try_from(exp).ok()?));
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(s: &str) -> String {
        String::from_utf8(integral_numbers(s.as_bytes()).into_owned()).unwrap()
    }

    #[test]
    fn integral_literals_become_integers() {
        for (given, want) in [
            ("7.0", "7"),
            ("7039287.0", "7039287"),
            ("-3.000", "-3"),
            ("1.5e1", "15"),
            ("1E3", "1000"),
            ("2e+2", "200"),
            ("1200e-2", "12"),
            ("0.0", "0"),
            ("-0.0", "0"),
            ("0e5", "0"),
            ("12345678901234567890.0", "12345678901234567890"),
        ] {
            assert_eq!(rewrite(given), want, "{given}");
        }
    }

    #[test]
    fn everything_else_is_left_alone() {
        for same in [
            "7",
            "-7",
            "7.5",
            "1e-1",
            "1e300",
            "123456789012345678901.0",
            "01.0",
            "1.",
            ".5",
            "1e",
            r#""7.0""#,
            r#"{"a\"7.0": "x 1.0 \\", "b": [1.0e0]}"#,
        ] {
            let got = rewrite(same);
            if same.starts_with('{') {
                assert_eq!(got, r#"{"a\"7.0": "x 1.0 \\", "b": [1]}"#);
            } else {
                assert_eq!(got, same, "{same}");
            }
        }
        assert!(matches!(integral_numbers(b"{\"a\": 1}"), Cow::Borrowed(_)));
    }
}
