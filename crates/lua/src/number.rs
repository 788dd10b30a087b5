//! Numbers as C Lua 5.1 on Linux x86-64 treats them: `tostring` is `printf("%.14g")`,
//! `tonumber` is glibc's `strtod` (decimal, hexadecimal with `p` exponents, `inf`, `nan`),
//! conversions to integers are x86's truncating `cvttsd2si` (out of range and NaN give
//! `i64::MIN`), and a NaN made by arithmetic is x86's: the "default NaN" (sign bit set,
//! printed `-nan`) when made from numbers, the first NaN operand when one came in.
//!
//! Rust's float formatting rounds exactly (ties to even), as glibc's printf does, so `%e`,
//! `%f` and `%g` are built on it; what this module adds is C's shapes (`1e+15`, `-nan`,
//! flags, widths) and the x86 behaviour where C leaves things undefined. wasm32 would
//! otherwise print `nan` where Linux prints `-nan`, so NaNs are normalized in software.

/// x86's default NaN, produced by invalid operations such as `0/0`: negative, quiet.
pub const DEFAULT_NAN: f64 = f64::from_bits(0xfff8_0000_0000_0000);

/// The NaN x86 SSE produces for `a op b` when the result is NaN: the first NaN operand
/// (quieted), else the default NaN.
#[inline(never)]
#[cold]
pub fn x86_nan(a: f64, b: f64) -> f64 {
    if a.is_nan() {
        f64::from_bits(a.to_bits() | 0x0008_0000_0000_0000)
    } else if b.is_nan() {
        f64::from_bits(b.to_bits() | 0x0008_0000_0000_0000)
    } else {
        DEFAULT_NAN
    }
}

/// A result of a binary float operation with x86's NaN.
#[inline(always)]
pub fn fix_nan2(r: f64, a: f64, b: f64) -> f64 {
    if r.is_nan() {
        x86_nan(a, b)
    } else {
        r
    }
}

/// A result of a unary libm function with x86/glibc's NaN: a NaN input comes back as it
/// was (quieted); a NaN made from a number is the default NaN.
#[inline(always)]
pub fn fix_nan1(r: f64, a: f64) -> f64 {
    if r.is_nan() {
        x86_nan(a, 0.0)
    } else {
        r
    }
}

/// Lua's `%` (`a - floor(a/b)*b`), with x86 NaNs.
#[inline]
pub fn lua_mod(a: f64, b: f64) -> f64 {
    let q = fix_nan2(a / b, a, b);
    let fl = q.floor();
    let m = fix_nan2(fl * b, fl, b);
    fix_nan2(a - m, a, m)
}

/// Lua's `^`: C's `pow`.
pub fn lua_pow(a: f64, b: f64) -> f64 {
    let r = a.powf(b);
    if r.is_nan() {
        // glibc's pow: a NaN operand propagates (except the cases Rust already gets right,
        // pow(1, NaN) = 1 and pow(NaN, 0) = 1), and a negative base with a fractional
        // exponent is the default NaN.
        if a.is_nan() || b.is_nan() {
            return x86_nan(a, b);
        }
        return DEFAULT_NAN;
    }
    r
}

/// `(long)d` on x86-64: truncation; NaN and out-of-range values give `i64::MIN`.
#[inline]
pub fn c_long(d: f64) -> i64 {
    if !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&d) {
        i64::MIN
    } else {
        d as i64
    }
}

/// `(unsigned long)d` as gcc compiles it for x86-64 (values from 2^63 are converted after
/// subtracting 2^63, everything else through the signed conversion).
pub fn c_ulong(d: f64) -> u64 {
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    // A NaN compares unordered, and the branch gcc emits then takes the signed path.
    if d.is_nan() || d < TWO63 {
        c_long(d) as u64
    } else {
        (c_long(d - TWO63) as u64) ^ (1u64 << 63)
    }
}

/// `(int)(long)d`: how `luaL_checkint` turns a number into a C int on x86-64.
#[inline]
pub fn c_int(d: f64) -> i32 {
    c_long(d) as i32
}

/// `tostring(n)`: `%.14g`.
pub fn fmt_num(n: f64, out: &mut Vec<u8>) {
    if n.fract() == 0.0 && n.abs() < 1e14 {
        // Up to 14 digits: %.14g prints the integer itself; -0 keeps its sign.
        if n == 0.0 && n.is_sign_negative() {
            out.extend_from_slice(b"-0");
        } else {
            let mut buf = itoa_buf(n as i64);
            out.append(&mut buf);
        }
        return;
    }
    fmt_g(n, 14, false, false, out);
}

fn itoa_buf(mut v: i64) -> Vec<u8> {
    let neg = v < 0;
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    if v == 0 {
        return b"0".to_vec();
    }
    while v != 0 {
        i -= 1;
        digits[i] = b'0' + (v % 10).unsigned_abs() as u8;
        v /= 10;
    }
    let mut out = Vec::with_capacity(21);
    if neg {
        out.push(b'-');
    }
    out.extend_from_slice(&digits[i..]);
    out
}

/// A number as a Rust string, `%.14g` (for messages and the host).
pub fn num_to_string(n: f64) -> String {
    let mut v = Vec::new();
    fmt_num(n, &mut v);
    String::from_utf8(v).unwrap_or_default()
}

fn nonfinite(n: f64, upper: bool, out: &mut Vec<u8>) {
    let s = if n.is_nan() {
        if n.is_sign_negative() {
            "-nan"
        } else {
            "nan"
        }
    } else if n < 0.0 {
        "-inf"
    } else {
        "inf"
    };
    if upper {
        out.extend(s.bytes().map(|b| b.to_ascii_uppercase()));
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

/// Splits Rust's `{:.Ne}` output into mantissa digits text and the decimal exponent.
fn sci_parts(n: f64, prec: usize) -> (String, i32) {
    let s = format!("{:.*e}", prec, n);
    match s.split_once('e') {
        Some((m, e)) => (m.to_string(), e.parse().unwrap_or(0)),
        None => (s, 0),
    }
}

fn push_exp(e: i32, upper: bool, out: &mut Vec<u8>) {
    out.push(if upper { b'E' } else { b'e' });
    out.push(if e < 0 { b'-' } else { b'+' });
    let a = e.unsigned_abs();
    if a < 10 {
        out.push(b'0');
    }
    out.extend_from_slice(a.to_string().as_bytes());
}

/// C's `%.{prec}e` (no width or flags other than `#`).
pub fn fmt_e(n: f64, prec: usize, upper: bool, alt: bool, out: &mut Vec<u8>) {
    if !n.is_finite() {
        return nonfinite(n, upper, out);
    }
    let (m, e) = sci_parts(n, prec);
    out.extend_from_slice(m.as_bytes());
    if alt && prec == 0 {
        out.push(b'.');
    }
    push_exp(e, upper, out);
}

/// C's `%.{prec}f`.
pub fn fmt_f(n: f64, prec: usize, upper: bool, alt: bool, out: &mut Vec<u8>) {
    if !n.is_finite() {
        return nonfinite(n, upper, out);
    }
    out.extend_from_slice(format!("{:.*}", prec, n).as_bytes());
    if alt && prec == 0 {
        out.push(b'.');
    }
}

/// C's `%.{prec}g`.
pub fn fmt_g(n: f64, prec: usize, upper: bool, alt: bool, out: &mut Vec<u8>) {
    if !n.is_finite() {
        return nonfinite(n, upper, out);
    }
    let p = prec.max(1);
    let (_, x) = sci_parts(n, p - 1);
    let start = out.len();
    if (x as i64) < p as i64 && x >= -4 {
        let decimals = (p as i64 - 1 - x as i64) as usize;
        out.extend_from_slice(format!("{:.*}", decimals, n).as_bytes());
        if alt {
            if !out[start..].contains(&b'.') {
                out.push(b'.');
            }
        } else {
            strip_zeros(out, start);
        }
    } else {
        let (m, e) = sci_parts(n, p - 1);
        out.extend_from_slice(m.as_bytes());
        if alt {
            if !out[start..].contains(&b'.') {
                out.push(b'.');
            }
        } else {
            strip_zeros(out, start);
        }
        push_exp(e, upper, out);
    }
}

fn strip_zeros(out: &mut Vec<u8>, start: usize) {
    if out[start..].contains(&b'.') {
        while out.last() == Some(&b'0') {
            out.pop();
        }
        if out.last() == Some(&b'.') {
            out.pop();
        }
    }
}

/// Lua 5.1's `luaO_str2d`: the whole string (up to a NUL, as C sees it) must be a number
/// for `strtod`, with only white space after it.
pub fn str2d(s: &[u8]) -> Option<f64> {
    let s = match s.iter().position(|&b| b == 0) {
        Some(nul) => &s[..nul],
        None => s,
    };
    let (n, used) = strtod(s)?;
    if s[used..].iter().all(|&b| is_c_space(b)) {
        Some(n)
    } else {
        None
    }
}

/// C's `isspace` in the "C" locale.
#[inline]
pub fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// glibc's `strtod`: the number at the start of `s` (after white space) and how many bytes
/// it used, or `None` when no conversion is possible.
pub fn strtod(s: &[u8]) -> Option<(f64, usize)> {
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let rest = &s[i..];
    let lower = |n: usize| -> Vec<u8> {
        rest.iter()
            .take(n)
            .map(|b| b.to_ascii_lowercase())
            .collect()
    };
    let sign = |v: f64| if neg { -v } else { v };
    if lower(3) == b"inf" {
        let used = if lower(8) == b"infinity" { 8 } else { 3 };
        return Some((sign(f64::INFINITY), i + used));
    }
    if lower(3) == b"nan" {
        let mut used = 3;
        if rest.get(3) == Some(&b'(') {
            let mut j = 4;
            while j < rest.len() && (rest[j].is_ascii_alphanumeric() || rest[j] == b'_') {
                j += 1;
            }
            if rest.get(j) == Some(&b')') {
                used = j + 1;
            }
        }
        // glibc's strtod("nan") is the positive quiet NaN; "-nan" has the sign bit set.
        let nan = f64::from_bits(0x7ff8_0000_0000_0000);
        return Some((sign(nan), i + used));
    }
    if rest.len() >= 2 && rest[0] == b'0' && (rest[1] | 0x20) == b'x' {
        if let Some((v, used)) = hex_float(&rest[2..]) {
            return Some((sign(v), i + 2 + used));
        }
        // "0x" with no hex digit: strtod reads the "0".
        return Some((sign(0.0), i + 1));
    }
    let (text, used) = decimal_prefix(rest)?;
    let v: f64 = text.parse().ok()?;
    Some((sign(v), i + used))
}

/// The longest decimal floating constant at the start of `s`: digits, an optional point
/// and digits (at least one digit in all), then an exponent if it is complete.
fn decimal_prefix(s: &[u8]) -> Option<(String, usize)> {
    let mut j = 0;
    let mut digits = 0;
    while j < s.len() && s[j].is_ascii_digit() {
        j += 1;
        digits += 1;
    }
    if j < s.len() && s[j] == b'.' {
        j += 1;
        while j < s.len() && s[j].is_ascii_digit() {
            j += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    let mut end = j;
    if j < s.len() && (s[j] | 0x20) == b'e' {
        let mut k = j + 1;
        if k < s.len() && (s[k] == b'+' || s[k] == b'-') {
            k += 1;
        }
        let exp_start = k;
        while k < s.len() && s[k].is_ascii_digit() {
            k += 1;
        }
        if k > exp_start {
            end = k;
        }
    }
    // Rust's parser wants at least one digit on some side of the point, which holds, and
    // takes "1." and ".5" as C does.
    let text = String::from_utf8_lossy(&s[..end]).into_owned();
    Some((text, end))
}

/// A hexadecimal floating constant after its `0x`: hex digits, an optional point and hex
/// digits, an optional binary exponent `p[+-]digits`; rounded to nearest, ties to even.
fn hex_float(s: &[u8]) -> Option<(f64, usize)> {
    let mut j = 0;
    let mut mant: u64 = 0;
    let mut exp: i64 = 0;
    let mut sticky = false;
    let mut any = false;
    let mut seen_point = false;
    while let Some(&c) = s.get(j) {
        if c == b'.' && !seen_point {
            seen_point = true;
            j += 1;
            continue;
        }
        let Some(d) = (c as char).to_digit(16) else {
            break;
        };
        any = true;
        if mant >> 60 == 0 {
            mant = (mant << 4) | u64::from(d);
            if seen_point {
                exp -= 4;
            }
        } else {
            sticky |= d != 0;
            if !seen_point {
                exp += 4;
            }
        }
        j += 1;
    }
    if !any {
        return None;
    }
    if j < s.len() && (s[j] | 0x20) == b'p' {
        let mut k = j + 1;
        let mut eneg = false;
        if k < s.len() && (s[k] == b'+' || s[k] == b'-') {
            eneg = s[k] == b'-';
            k += 1;
        }
        let start = k;
        let mut e: i64 = 0;
        while k < s.len() && s[k].is_ascii_digit() {
            e = (e * 10 + i64::from(s[k] - b'0')).min(1 << 20);
            k += 1;
        }
        if k > start {
            exp += if eneg { -e } else { e };
            j = k;
        }
    }
    Some((compose(mant, exp, sticky), j))
}

/// `mant * 2^exp` rounded to a double (nearest, ties to even; `sticky` says nonzero bits
/// were dropped below `mant`).
fn compose(mant: u64, exp: i64, sticky: bool) -> f64 {
    if mant == 0 {
        return 0.0;
    }
    // Normalize so that the top bit is bit 63; the value is m * 2^(e).
    let shift = mant.leading_zeros() as i64;
    let m = mant << shift;
    let e = exp - shift;
    // The value is 1.xxx * 2^(e + 63).
    let unbiased = e + 63;
    if unbiased > 1023 {
        return f64::INFINITY;
    }
    // Bits to keep: 53 for normal numbers, fewer for subnormals.
    let keep: i64 = if unbiased >= -1022 {
        53
    } else {
        53 - (-1022 - unbiased)
    };
    if keep <= 0 {
        // Below half the smallest subnormal, or exactly a rounding case near it.
        if keep == 0 && (m > 1 << 63 || (m == 1 << 63 && sticky)) {
            return f64::from_bits(1);
        }
        return 0.0;
    }
    let drop = 64 - keep;
    let mut kept = m >> drop;
    let rem = m & ((1u64 << drop) - 1);
    let half = 1u64 << (drop - 1);
    if rem > half || (rem == half && (sticky || kept & 1 == 1)) {
        kept += 1;
    }
    // kept * 2^(e + drop): exact in a double (it has at most 54 bits, a carry is a power of
    // two), so scaling by powers of two is exact unless it overflows.
    let mut v = kept as f64;
    let mut p = e + drop;
    while p > 0 {
        let step = p.min(1000);
        v *= 2f64.powi(step as i32);
        p -= step;
    }
    while p < 0 {
        let step = (-p).min(1000);
        v /= 2f64.powi(step as i32);
        p += step;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(n: f64) -> String {
        num_to_string(n)
    }

    #[test]
    fn tostring_is_percent_14g() {
        assert_eq!(g(1e15), "1e+15");
        assert_eq!(g(10.0 / 3.0), "3.3333333333333");
        assert_eq!(g(2f64.powi(53)), "9.007199254741e+15");
        assert_eq!(g(123456789012345.0), "1.2345678901234e+14");
        assert_eq!(g(1e14), "1e+14");
        assert_eq!(g(99999999999999.0), "99999999999999");
        assert_eq!(g(0.1), "0.1");
        assert_eq!(g(-0.0), "-0");
        assert_eq!(g(1e-5), "1e-05");
        assert_eq!(g(0.0001), "0.0001");
        assert_eq!(g(f64::INFINITY), "inf");
        assert_eq!(g(f64::NEG_INFINITY), "-inf");
        assert_eq!(g(DEFAULT_NAN), "-nan");
        assert_eq!(g(-DEFAULT_NAN), "nan");
        assert_eq!(g(1e100), "1e+100");
    }

    #[test]
    fn str2d_is_strtod() {
        assert_eq!(str2d(b"0x1p4"), Some(16.0));
        assert_eq!(str2d(b"0x10"), Some(16.0));
        assert_eq!(str2d(b" 10 "), Some(10.0));
        assert_eq!(str2d(b"1e"), None);
        assert_eq!(str2d(b"0x"), None);
        assert_eq!(str2d(b""), None);
        assert_eq!(str2d(b"."), None);
        assert_eq!(str2d(b"5."), Some(5.0));
        assert_eq!(str2d(b"10\0zz"), Some(10.0));
        assert_eq!(str2d(b"inf"), Some(f64::INFINITY));
        assert!(str2d(b"nan").unwrap().is_nan());
        assert_eq!(str2d(b"0x.8"), Some(0.5));
        assert_eq!(str2d(b"0x1.8p1"), Some(3.0));
        assert_eq!(str2d(b"0x1fffffffffffff"), Some(9007199254740991.0));
        assert_eq!(str2d(b"0x20000000000001"), Some(9007199254740992.0));
        assert_eq!(str2d(b"0x20000000000003"), Some(9007199254740996.0));
    }

    #[test]
    fn c_conversions() {
        assert_eq!(c_long(f64::NAN), i64::MIN);
        assert_eq!(c_long(1e30), i64::MIN);
        assert_eq!(c_long(-3.7), -3);
        assert_eq!(c_ulong(-1.0), u64::MAX);
        assert_eq!(c_ulong(2f64.powi(63)), 1 << 63);
        assert_eq!(c_int(4294967297.0), 1);
        assert_eq!(c_ulong(f64::NAN), 1 << 63);
        assert_eq!(c_ulong(1e20), 0);
    }

    #[test]
    fn printf_shapes() {
        let mut o = Vec::new();
        fmt_e(12345.678, 6, false, false, &mut o);
        assert_eq!(o, b"1.234568e+04");
        o.clear();
        fmt_g(1e20, 6, false, false, &mut o);
        assert_eq!(o, b"1e+20");
        o.clear();
        fmt_g(100000.0, 6, false, false, &mut o);
        assert_eq!(o, b"100000");
        o.clear();
        fmt_g(1000000.0, 6, false, true, &mut o);
        assert_eq!(o, b"1.00000e+06");
    }
}
