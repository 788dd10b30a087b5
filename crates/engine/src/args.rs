//! Reading arguments the way Redis does: integers as strict as `string2ll` (no spaces, no `+`,
//! no leading zeros), floats as `strtod` with Redis's extra checks, keywords in any case.

use crate::error::{Error, Result};

/// Parses a 64-bit signed integer exactly as Redis's `string2ll` accepts it, or fails with
/// `ERR value is not an integer or out of range`.
pub fn parse_i64(arg: &[u8]) -> Result<i64> {
    string2ll(arg).ok_or(Error::NotInteger)
}

/// Redis's `string2ll`: optional `-`, then digits without leading zeros (`0` alone is fine),
/// at most 20 bytes, within i64.
pub fn string2ll(arg: &[u8]) -> Option<i64> {
    if arg.is_empty() || arg.len() > 20 {
        return None;
    }
    if arg == b"0" {
        return Some(0);
    }
    let (negative, digits) = match arg.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, arg),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    let mut magnitude: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        magnitude = magnitude
            .checked_mul(10)?
            .checked_add(u64::from(d - b'0'))?;
    }
    if negative {
        0i64.checked_sub_unsigned(magnitude)
            .or(if magnitude == 1 << 63 {
                Some(i64::MIN)
            } else {
                None
            })
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Parses a double as Redis's `string2d` does (strtod, then: no leading space, nothing left
/// over, no NaN, no overflow), or fails with `ERR value is not a valid float`.
pub fn parse_f64(arg: &[u8]) -> Result<f64> {
    let text = std::str::from_utf8(arg).map_err(|_| Error::NotFloat)?;
    if text.is_empty() || text.starts_with(|c: char| c.is_ascii_whitespace()) {
        return Err(Error::NotFloat);
    }
    let value: f64 = text.parse().map_err(|_| Error::NotFloat)?;
    let spelled_infinite = text
        .trim_start_matches(['+', '-'])
        .to_ascii_lowercase()
        .starts_with("inf");
    if value.is_nan() || (value.is_infinite() && !spelled_infinite) {
        return Err(Error::NotFloat);
    }
    Ok(value)
}

/// LMPOP's and ZMPOP's arguments from `numkeys` on (`numkeys key [key ...] END [COUNT count]`,
/// END one of `ends`), checked in Redis's order: numkeys positive, the end word present and
/// known, then COUNT positive. Returns how many keys follow numkeys, which of `ends` was
/// given, and the count (1 without COUNT).
pub fn parse_mpop(args: &[Vec<u8>], ends: [&str; 2]) -> Result<(usize, usize, usize)> {
    let numkeys = args
        .first()
        .and_then(|n| string2ll(n))
        .filter(|&n| n > 0)
        .ok_or(Error::NumkeysNotPositive)?;
    let end_at = usize::try_from(numkeys)
        .ok()
        .and_then(|n| n.checked_add(1))
        .filter(|&at| at < args.len())
        .ok_or(Error::Syntax)?;
    let end = ends
        .iter()
        .position(|word| is(&args[end_at], word))
        .ok_or(Error::Syntax)?;
    let count = match &args[end_at + 1..] {
        [] => 1,
        [option, count] if is(option, "count") => string2ll(count)
            .filter(|&n| n > 0)
            .ok_or(Error::CountNotPositive)?
            as usize,
        _ => return Err(Error::Syntax),
    };
    Ok((end_at - 1, end, count))
}

/// Is `arg` the keyword `word` (ASCII case-insensitive)? `word` is written in lower case.
pub fn is(arg: &[u8], word: &str) -> bool {
    arg.eq_ignore_ascii_case(word.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_as_strict_as_redis() {
        assert_eq!(string2ll(b"0"), Some(0));
        assert_eq!(string2ll(b"-1"), Some(-1));
        assert_eq!(string2ll(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(string2ll(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(string2ll(b"9223372036854775808"), None);
        for bad in [
            &b""[..],
            b"-0",
            b"01",
            b"+1",
            b" 1",
            b"1 ",
            b"1a",
            b"-",
            b"1.0",
        ] {
            assert_eq!(string2ll(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn floats_as_redis() {
        assert_eq!(parse_f64(b"1.5"), Ok(1.5));
        assert_eq!(parse_f64(b"-inf"), Ok(f64::NEG_INFINITY));
        assert_eq!(parse_f64(b"1e3"), Ok(1000.0));
        assert!(parse_f64(b"nan").is_err());
        assert!(parse_f64(b" 1").is_err());
        assert!(parse_f64(b"1e999").is_err());
        assert!(parse_f64(b"").is_err());
    }
}
