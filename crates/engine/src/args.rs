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

/// Parses a double as Redis's `string2d` does (strtod, then: not empty, no leading space,
/// every byte read, no NaN, no overflow or underflow to zero), or fails with `ERR value is
/// not a valid float`.
pub fn parse_f64(arg: &[u8]) -> Result<f64> {
    if arg.first().is_none_or(|&b| is_c_space(b)) || arg.contains(&0) {
        return Err(Error::NotFloat);
    }
    match strtod(arg) {
        Some((value, erange))
            if !value.is_nan() && !(erange && (value == 0.0 || value.is_infinite())) =>
        {
            Ok(value)
        }
        _ => Err(Error::NotFloat),
    }
}

/// C's `strtod` over `text` as a C string (up to its first NUL), for callers that require
/// every character read: leading C white space skipped, then an optional sign and a decimal
/// or hexadecimal (`0x1.8p3`) number, or `inf`, `infinity`, `nan` in any case. The empty
/// string reads as 0, since a strtod that reads nothing leaves its end pointer on the
/// terminating NUL. Returns the value and whether glibc's strtod sets `ERANGE` (overflow, or
/// a result too small for a normal double); `None` when characters are left over.
pub fn strtod(text: &[u8]) -> Option<(f64, bool)> {
    let text = text.split(|&b| b == 0).next().unwrap_or_default();
    let start = text.iter().position(|&b| !is_c_space(b));
    let body = match start {
        Some(at) => &text[at..],
        None if text.is_empty() => return Some((0.0, false)),
        None => return None,
    };
    let (negative, unsigned) = match body.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, body),
    };
    let (magnitude, nonzero_digits) = match unsigned {
        [b'0', b'x' | b'X', hex @ ..] => parse_hex_float(hex)?,
        _ => {
            let text = std::str::from_utf8(unsigned).ok()?;
            if text.starts_with(['+', '-']) {
                return None;
            }
            let mantissa = text.split(['e', 'E']).next().unwrap_or_default();
            let value: f64 = text.parse().ok()?;
            (value, mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b)))
        }
    };
    let spelled = unsigned.first().is_some_and(|b| b.is_ascii_alphabetic());
    let erange = !spelled
        && (magnitude.is_infinite()
            || (magnitude < f64::MIN_POSITIVE && (magnitude != 0.0 || nonzero_digits)));
    Some((if negative { -magnitude } else { magnitude }, erange))
}

/// The part of a hexadecimal float after `0x`: hex digits with an optional point, then an
/// optional binary exponent `p[+-]digits`. Returns the magnitude and whether any digit was
/// not zero. Digits beyond the sixteenth only move the exponent (strtod would round them in;
/// no one writes them).
fn parse_hex_float(hex: &[u8]) -> Option<(f64, bool)> {
    let (mut mantissa, mut exponent, mut digits, mut nonzero) = (0u64, 0i64, 0, false);
    let mut seen_point = false;
    let mut rest = hex;
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'.' && !seen_point {
            seen_point = true;
        } else if let Some(d) = char::from(b).to_digit(16) {
            nonzero |= d != 0;
            digits += 1;
            if mantissa >> 60 == 0 {
                mantissa = mantissa * 16 + u64::from(d);
                exponent -= if seen_point { 4 } else { 0 };
            } else if !seen_point {
                exponent += 4;
            }
        } else {
            break;
        }
        rest = tail;
    }
    if digits == 0 {
        return None;
    }
    if let [b'p' | b'P', power @ ..] = rest {
        let (sign, power) = match power.split_first() {
            Some((b'-', p)) => (-1, p),
            Some((b'+', p)) => (1, p),
            _ => (1, power),
        };
        let power = std::str::from_utf8(power).ok()?;
        if power.is_empty() || !power.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        exponent += sign * power.parse::<i64>().unwrap_or(i64::MAX / 2);
        rest = &[];
    }
    if !rest.is_empty() {
        return None;
    }
    // Two steps, so that a large mantissa with a very negative exponent does not underflow
    // on the way.
    let half = (exponent / 2).clamp(-2000, 2000) as i32;
    let other = (exponent - i64::from(half)).clamp(-2000, 2000) as i32;
    let value = mantissa as f64 * 2f64.powi(half) * 2f64.powi(other);
    Some((value, nonzero))
}

/// Redis's `string2ull`: `string2ll` when it reads the text (then a negative number fails),
/// else C's `strtoull` over all of it: leading blanks, a sign (a minus negates modulo 2^64, as
/// C's does), digits with leading zeros allowed, nothing after them, no overflow. The caller
/// passes what C would see: the text up to its first NUL.
pub fn string2ull(arg: &[u8]) -> Option<u64> {
    if let Some(n) = string2ll(arg) {
        return u64::try_from(n).ok();
    }
    let (negative, digits) = c_sign(arg);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = digits.iter().try_fold(0u64, |n, d| {
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })?;
    Some(if negative { n.wrapping_neg() } else { n })
}

/// C's `atoi` as glibc has it: `strtol` (leading blanks, a sign, digits up to the first
/// other byte, 0 when there are none, saturating at the bounds of a 64-bit `long`) cast to
/// an `int`, which wraps what does not fit.
pub fn atoi(arg: &[u8]) -> i32 {
    let (negative, digits) = c_sign(arg);
    let magnitude = digits
        .iter()
        .take_while(|d| d.is_ascii_digit())
        .try_fold(0i128, |n, d| {
            let n = n * 10 + i128::from(d - b'0');
            // Past what a long holds, strtol's answer is fixed: stop reading.
            (n <= i128::from(i64::MAX) + 1).then_some(n)
        });
    let long = match (magnitude, negative) {
        (Some(n), true) => (-n).max(i128::from(i64::MIN)) as i64,
        (Some(n), false) => n.min(i128::from(i64::MAX)) as i64,
        (None, true) => i64::MIN,
        (None, false) => i64::MAX,
    };
    long as i32
}

/// How C's `strtol` family starts reading a number: leading blanks skipped, then an optional
/// sign; whether it was a minus, and what follows it.
fn c_sign(arg: &[u8]) -> (bool, &[u8]) {
    let start = arg
        .iter()
        .position(|&b| !is_c_space(b))
        .unwrap_or(arg.len());
    match &arg[start..] {
        [b'-', digits @ ..] => (true, digits),
        [b'+', digits @ ..] => (false, digits),
        digits => (false, digits),
    }
}

/// C's `isspace` in the C locale.
pub(crate) fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
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
    // Redis walks the options one by one: a COUNT with a value is read (and refused if not
    // positive) before anything after it is looked at, so `COUNT x COUNT` is a count error.
    let mut count = None;
    let mut options = args[end_at + 1..].iter();
    while let Some(option) = options.next() {
        match options.as_slice().first() {
            Some(value) if count.is_none() && is(option, "count") => {
                options.next();
                let n = string2ll(value)
                    .filter(|&n| n > 0)
                    .ok_or(Error::CountNotPositive)?;
                count = Some(n as usize);
            }
            _ => return Err(Error::Syntax),
        }
    }
    Ok((end_at - 1, end, count.unwrap_or(1)))
}

/// Is `arg` the keyword `word` (ASCII case-insensitive)? `word` is written in lower case.
pub fn is(arg: &[u8], word: &str) -> bool {
    arg.eq_ignore_ascii_case(word.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsigned_integers_read_as_string2ull_reads_them() {
        assert_eq!(string2ull(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(string2ull(b"18446744073709551616"), None);
        assert_eq!(
            string2ull(b"-1"),
            None,
            "string2ll reads it, and it is negative"
        );
        assert_eq!(string2ull(b"-01"), Some(u64::MAX), "strtoull negates");
        assert_eq!(string2ull(b" +007"), Some(7));
        assert_eq!(string2ull(b"7 "), None);
        assert_eq!(string2ull(b""), None);
        assert_eq!(string2ull(b"-"), None);
    }

    #[test]
    fn mpop_reads_count_before_what_follows_it() {
        let args = |line: &str| -> Vec<Vec<u8>> {
            line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
        };
        let ends = ["left", "right"];
        assert_eq!(parse_mpop(&args("1 k RIGHT"), ends).unwrap(), (1, 1, 1));
        assert_eq!(
            parse_mpop(&args("2 a b left COUNT 3"), ends).unwrap(),
            (2, 0, 3)
        );
        assert_eq!(
            parse_mpop(&args("1 k RIGHT COUNT x COUNT"), ends),
            Err(Error::CountNotPositive)
        );
        assert_eq!(
            parse_mpop(&args("1 k RIGHT COUNT 2 COUNT 3"), ends),
            Err(Error::Syntax)
        );
        assert_eq!(
            parse_mpop(&args("1 k RIGHT COUNT"), ends),
            Err(Error::Syntax)
        );
        assert_eq!(
            parse_mpop(&args("1 k RIGHT NOPE 1"), ends),
            Err(Error::Syntax)
        );
    }

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
        assert_eq!(parse_f64(b"0x10"), Ok(16.0));
        assert_eq!(parse_f64(b"0X1.8P1"), Ok(3.0));
        assert_eq!(parse_f64(b"-0x1p-2"), Ok(-0.25));
        assert_eq!(parse_f64(b"infinity"), Ok(f64::INFINITY));
        assert_eq!(parse_f64(b"+5"), Ok(5.0));
        assert!(parse_f64(b"1e-400").is_err());
        assert!(parse_f64(b"0x").is_err());
        assert!(parse_f64(b"+-5").is_err());
        assert_eq!(parse_f64(b"1e-310").map(|v| v > 0.0), Ok(true));
        assert_eq!(parse_f64(b"0e-400"), Ok(0.0));
    }

    #[test]
    fn strtod_reads_what_c_reads() {
        assert_eq!(strtod(b""), Some((0.0, false)));
        assert_eq!(strtod(b"  "), None);
        assert_eq!(strtod(b" 1"), Some((1.0, false)));
        assert_eq!(strtod(b"1 "), None);
        assert_eq!(strtod(b"1e400"), Some((f64::INFINITY, true)));
        assert_eq!(strtod(b"1e-400"), Some((0.0, true)));
        assert_eq!(strtod(b"1e-310").map(|(_, erange)| erange), Some(true));
        assert_eq!(strtod(b"5\0abc"), Some((5.0, false)));
        assert!(parse_f64(b"5\0").is_err());
    }
}
