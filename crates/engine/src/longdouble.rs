//! The x87 80-bit `long double`, exactly as Redis 7.0 on x86-64 uses it for INCRBYFLOAT.
//!
//! Redis parses both operands with `strtold`, adds them in 80-bit extended precision (a 64-bit
//! mantissa with an explicit integer bit, exponents down to 2^-16445 through gradual
//! underflow), and prints the sum with `%.17Lf` before trimming trailing zeros. An `f64` gets
//! the answer wrong as soon as the 11 extra mantissa bits matter: `10.5 + 0.1` is
//! `10.6` in Redis but `10.59999999999999964` when done in doubles and printed the same way.
//!
//! Every step here is exact integer arithmetic, so no host float behaviour leaks in:
//! - a finite value is `mantissa × 2^exponent` with a `u64` mantissa;
//! - parsing turns the decimal (or hexadecimal) text into a fraction of two big integers and
//!   rounds it once, to nearest with ties to even, as glibc's `strtold` does;
//! - addition aligns both operands exactly in a big integer and rounds once, as the FPU does;
//! - printing multiplies by 10^17 and rounds the quotient half-to-even, as glibc's `printf`.
//!
//! The big integers are small and short-lived (at most a few thousand 32-bit limbs for the
//! most extreme exponents), so the schoolbook algorithms below are plenty.

use std::cmp::Ordering;

use crate::args::is_c_space;

/// The exponent of the smallest subnormal: 2^-16445.
const MIN_EXP: i64 = -16445;
/// The exponent of the largest finite values' last mantissa bit: (2^64 - 1) × 2^16320.
const MAX_EXP: i64 = 16320;
/// Redis's `MAX_LONG_DOUBLE_CHARS`: `string2ld` refuses texts this long or longer.
const MAX_LONG_DOUBLE_CHARS: usize = 5 * 1024;
/// `%.17Lf`: the digits printed after the decimal point.
const HUMAN_DECIMALS: u32 = 17;

/// An 80-bit extended-precision value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LongDouble {
    /// `±mantissa × 2^exponent`, always within the format's range.
    Finite {
        negative: bool,
        mantissa: u64,
        exponent: i64,
    },
    Infinite {
        negative: bool,
    },
    Nan,
}

impl LongDouble {
    /// Parses `text` as Redis's `string2ld` does: `strtold` over the whole text (which may be
    /// decimal, hexadecimal `0x1.8p3`, or `inf`/`infinity`), refusing an empty text, one of
    /// 5120 bytes or more, a leading space, anything left over (a NUL byte included: Redis
    /// checks that the whole length was consumed), NaN, and a number too large (overflow) or too
    /// small (underflow to zero) to represent.
    pub fn parse(text: &[u8]) -> Option<LongDouble> {
        if text.is_empty() || text.len() >= MAX_LONG_DOUBLE_CHARS || is_c_space(text[0]) {
            return None;
        }
        let (negative, body) = match text.split_first() {
            Some((b'-', rest)) => (true, rest),
            Some((b'+', rest)) => (false, rest),
            _ => (false, text),
        };
        if body.eq_ignore_ascii_case(b"inf") || body.eq_ignore_ascii_case(b"infinity") {
            return Some(LongDouble::Infinite { negative });
        }
        let (num, den, exp2) = match body {
            [b'0', b'x' | b'X', hex @ ..] => parse_hex(hex)?,
            _ => parse_decimal(body)?,
        };
        if num.is_zero() {
            return Some(LongDouble::Finite {
                negative,
                mantissa: 0,
                exponent: 0,
            });
        }
        match round_fraction(negative, &num, &den, exp2) {
            // strtold reports ERANGE for both; string2ld refuses them.
            LongDouble::Infinite { .. } => None,
            LongDouble::Finite { mantissa: 0, .. } => None,
            value => Some(value),
        }
    }

    /// A double, exactly: every double is a long double (GEOPOS prints its coordinates so).
    pub fn from_f64(d: f64) -> LongDouble {
        if d.is_nan() {
            return LongDouble::Nan;
        }
        let negative = d.is_sign_negative();
        if d.is_infinite() {
            return LongDouble::Infinite { negative };
        }
        let bits = d.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i64;
        let fraction = bits & ((1 << 52) - 1);
        let (mantissa, exponent) = match biased {
            0 => (fraction, -1074),
            _ => (fraction | (1 << 52), biased - 1075),
        };
        LongDouble::Finite {
            negative,
            mantissa,
            exponent,
        }
    }

    /// Zero, what INCRBYFLOAT starts from when the key is missing.
    pub const ZERO: LongDouble = LongDouble::Finite {
        negative: false,
        mantissa: 0,
        exponent: 0,
    };

    /// True for finite values (not an infinity, not NaN).
    pub fn is_finite(&self) -> bool {
        matches!(self, LongDouble::Finite { .. })
    }

    /// The correctly rounded sum, as the x87 FPU computes it (round to nearest, ties to even).
    pub fn add(self, other: LongDouble) -> LongDouble {
        use LongDouble::*;
        match (self, other) {
            (Nan, _) | (_, Nan) => Nan,
            (Infinite { negative: a }, Infinite { negative: b }) if a != b => Nan,
            (inf @ Infinite { .. }, _) | (_, inf @ Infinite { .. }) => inf,
            (
                Finite {
                    negative: sa,
                    mantissa: ma,
                    exponent: ea,
                },
                Finite {
                    negative: sb,
                    mantissa: mb,
                    exponent: eb,
                },
            ) => {
                // Both operands are exact multiples of 2^low, so their sum is too.
                let low = ea.min(eb);
                let a = Big::from_u128(ma.into()).shl((ea - low) as u64);
                let b = Big::from_u128(mb.into()).shl((eb - low) as u64);
                let (negative, magnitude) = if sa == sb {
                    (sa, a.add(&b))
                } else {
                    match a.cmp(&b) {
                        Ordering::Greater => (sa, a.sub(&b)),
                        Ordering::Less => (sb, b.sub(&a)),
                        // x - x is +0 when rounding to nearest.
                        Ordering::Equal => return LongDouble::ZERO,
                    }
                };
                if magnitude.is_zero() {
                    return Finite {
                        negative,
                        mantissa: 0,
                        exponent: 0,
                    };
                }
                round_fraction(negative, &magnitude, &Big::from_u128(1), low)
            }
        }
    }

    /// Redis's `ld2string(..., LD_STR_HUMAN)`: `%.17Lf`, then trailing zeros (and a bare
    /// decimal point) trimmed, and `-0` written as `0`. Infinities print as `inf` / `-inf`.
    pub fn to_human_string(self) -> String {
        let (negative, mantissa, exponent) = match self {
            LongDouble::Finite {
                negative,
                mantissa,
                exponent,
            } => (negative, mantissa, exponent),
            LongDouble::Infinite { negative } => {
                return if negative { "-inf" } else { "inf" }.into()
            }
            LongDouble::Nan => return "nan".into(),
        };
        // The value times 10^17, rounded half-to-even to an integer: every printed digit.
        let mut scaled = Big::from_u128(mantissa.into());
        scaled.mul_pow10(HUMAN_DECIMALS);
        let scaled = if exponent >= 0 {
            scaled.shl(exponent as u64)
        } else {
            let shift = exponent.unsigned_abs();
            let mut quotient = scaled.shr(shift);
            let half = scaled.bit(shift - 1);
            let below_half = scaled.any_below(shift - 1);
            if half && (below_half || quotient.bit(0)) {
                quotient = quotient.add(&Big::from_u128(1));
            }
            quotient
        };
        let mut digits = scaled.to_decimal();
        let decimals = HUMAN_DECIMALS as usize;
        if digits.len() <= decimals {
            digits = format!("{}{digits}", "0".repeat(decimals + 1 - digits.len()));
        }
        let (int_part, frac_part) = digits.split_at(digits.len() - decimals);
        let frac_part = frac_part.trim_end_matches('0');
        let mut out = String::with_capacity(digits.len() + 2);
        if negative {
            out.push('-');
        }
        out.push_str(int_part);
        if !frac_part.is_empty() {
            out.push('.');
            out.push_str(frac_part);
        }
        if out == "-0" {
            out.remove(0);
        }
        out
    }
}

/// A decimal `digits[.digits][e[+-]digits]`, which must make up the whole text, as the
/// fraction `num / den × 2^0`.
fn parse_decimal(text: &[u8]) -> Option<(Big, Big, i64)> {
    let (mantissa_digits, decimal_exp, rest) = scan_digits(text, 10)?;
    let exp10 = match rest {
        [] => 0,
        [b'e' | b'E', exp @ ..] => parse_exponent(exp)?,
        _ => return None,
    };
    let significant = mantissa_digits.iter().skip_while(|&&d| d == 0).count() as i64;
    if significant == 0 {
        return Some((Big::default(), Big::from_u128(1), 0));
    }
    let exp10 = exp10.saturating_sub(decimal_exp);
    // The value lies in [10^(significant-1+exp10), 10^(significant+exp10)). Far outside the
    // format's range (about 3.6e-4951 to 1.2e4932) the answer is known without big numbers.
    if significant - 1 + exp10 > 4932 {
        return Some((Big::from_u128(1), Big::from_u128(1), MAX_EXP + 64));
    }
    if significant + exp10 < -4951 {
        return Some((Big::from_u128(1), Big::from_u128(1), MIN_EXP - 128));
    }
    let mut num = Big::default();
    for &d in &mantissa_digits {
        num.mul_small_add(10, u32::from(d));
    }
    let mut den = Big::from_u128(1);
    if exp10 >= 0 {
        num.mul_pow10(exp10 as u32);
    } else {
        den.mul_pow10(exp10.unsigned_abs() as u32);
    }
    Some((num, den, 0))
}

/// The part after `0x`: `hexdigits[.hexdigits][p[+-]digits]`, as `num × 2^exp2`.
fn parse_hex(text: &[u8]) -> Option<(Big, Big, i64)> {
    let (mantissa_digits, fraction_digits, rest) = scan_digits(text, 16)?;
    let exp2 = match rest {
        [] => 0,
        [b'p' | b'P', exp @ ..] => parse_exponent(exp)?,
        _ => return None,
    };
    let mut num = Big::default();
    for &d in &mantissa_digits {
        num.mul_small_add(16, u32::from(d));
    }
    Some((
        num,
        Big::from_u128(1),
        exp2.saturating_sub(4 * fraction_digits),
    ))
}

/// Digits in `radix` with at most one `.` among them (at least one digit in all). Returns the
/// digit values, how many came after the point, and the rest of the text.
fn scan_digits(text: &[u8], radix: u32) -> Option<(Vec<u8>, i64, &[u8])> {
    let mut digits = Vec::new();
    let mut after_point = None;
    let mut i = 0;
    while let Some(&c) = text.get(i) {
        match (c as char).to_digit(radix) {
            Some(d) => {
                digits.push(d as u8);
                if let Some(n) = after_point.as_mut() {
                    *n += 1;
                }
            }
            None if c == b'.' && after_point.is_none() => after_point = Some(0),
            None => break,
        }
        i += 1;
    }
    if digits.is_empty() {
        return None;
    }
    Some((digits, after_point.unwrap_or(0), &text[i..]))
}

/// An exponent's `[+-]digits`, saturated far beyond any exponent that matters.
fn parse_exponent(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let magnitude = digits.iter().fold(0i64, |acc, &d| {
        (acc * 10 + i64::from(d - b'0')).min(1_000_000_000)
    });
    Some(if negative { -magnitude } else { magnitude })
}

/// Rounds the exact positive value `num / den × 2^exp2` to the nearest long double (ties to
/// even), with gradual underflow below 2^-16382 and infinity above the largest finite value.
fn round_fraction(negative: bool, num: &Big, den: &Big, exp2: i64) -> LongDouble {
    // Scale so the integer quotient has 66 or 67 bits: 64 for the mantissa, one to round
    // with, one of slack; whatever the remainder holds only matters as "something below".
    let shift = 66 - (num.bit_len() as i64 - den.bit_len() as i64);
    let (mut rem, den) = if shift >= 0 {
        (num.shl(shift as u64), den.clone())
    } else {
        (num.clone(), den.shl(shift.unsigned_abs()))
    };
    let mut quotient: u128 = 0;
    for bit in (0..68).rev() {
        let step = den.shl(bit);
        if rem >= step {
            rem = rem.sub(&step);
            quotient |= 1 << bit;
        }
    }
    let sticky = !rem.is_zero();
    let bits = 128 - i64::from(quotient.leading_zeros());
    let mut dropped = bits - 64;
    let mut exponent = exp2 - shift + dropped;
    if exponent < MIN_EXP {
        dropped += MIN_EXP - exponent;
        exponent = MIN_EXP;
    }
    let mut mantissa = if dropped >= 128 {
        0
    } else {
        let kept = quotient >> dropped;
        let rest = quotient & ((1u128 << dropped) - 1);
        let half = 1u128 << (dropped - 1);
        let round_up = rest > half || (rest == half && (sticky || kept & 1 == 1));
        kept + u128::from(round_up)
    };
    if mantissa >> 64 != 0 {
        mantissa >>= 1;
        exponent += 1;
    }
    if exponent > MAX_EXP {
        return LongDouble::Infinite { negative };
    }
    LongDouble::Finite {
        negative,
        mantissa: mantissa as u64,
        exponent,
    }
}

/// An unsigned big integer: 32-bit limbs, least significant first, no high zero limbs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Big {
    limbs: Vec<u32>,
}

impl Big {
    fn from_u128(mut v: u128) -> Big {
        let mut limbs = Vec::new();
        while v != 0 {
            limbs.push(v as u32);
            v >>= 32;
        }
        Big { limbs }
    }

    fn trimmed(mut self) -> Big {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
        self
    }

    fn is_zero(&self) -> bool {
        self.limbs.is_empty()
    }

    fn bit_len(&self) -> u64 {
        match self.limbs.last() {
            Some(&top) => 32 * self.limbs.len() as u64 - u64::from(top.leading_zeros()),
            None => 0,
        }
    }

    fn bit(&self, i: u64) -> bool {
        self.limbs
            .get((i / 32) as usize)
            .is_some_and(|limb| limb >> (i % 32) & 1 == 1)
    }

    /// Is any bit below bit `i` set?
    fn any_below(&self, i: u64) -> bool {
        let whole = ((i / 32) as usize).min(self.limbs.len());
        if self.limbs[..whole].iter().any(|&l| l != 0) {
            return true;
        }
        let part = i % 32;
        part != 0
            && self
                .limbs
                .get(whole)
                .is_some_and(|l| l & ((1 << part) - 1) != 0)
    }

    /// `self = self × m + a`.
    fn mul_small_add(&mut self, m: u32, a: u32) {
        let mut carry = u64::from(a);
        for limb in &mut self.limbs {
            let v = u64::from(*limb) * u64::from(m) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            self.limbs.push(carry as u32);
        }
    }

    fn mul_pow10(&mut self, mut n: u32) {
        while n >= 9 {
            self.mul_small_add(1_000_000_000, 0);
            n -= 9;
        }
        self.mul_small_add(10u32.pow(n), 0);
    }

    fn shl(&self, bits: u64) -> Big {
        if self.is_zero() {
            return Big::default();
        }
        let (whole, part) = ((bits / 32) as usize, bits % 32);
        let mut limbs = vec![0u32; whole];
        let mut carry = 0u32;
        for &limb in &self.limbs {
            limbs.push(if part == 0 {
                limb
            } else {
                (limb << part) | carry
            });
            carry = if part == 0 { 0 } else { limb >> (32 - part) };
        }
        limbs.push(carry);
        Big { limbs }.trimmed()
    }

    fn shr(&self, bits: u64) -> Big {
        let (whole, part) = ((bits / 32) as usize, bits % 32);
        let Some(rest) = self.limbs.get(whole..) else {
            return Big::default();
        };
        let limbs = (0..rest.len())
            .map(|i| {
                let high = rest.get(i + 1).copied().unwrap_or(0);
                if part == 0 {
                    rest[i]
                } else {
                    (rest[i] >> part) | (high << (32 - part))
                }
            })
            .collect();
        Big { limbs }.trimmed()
    }

    fn add(&self, other: &Big) -> Big {
        let len = self.limbs.len().max(other.limbs.len());
        let mut limbs = Vec::with_capacity(len + 1);
        let mut carry = 0u64;
        for i in 0..len {
            let v = u64::from(self.limbs.get(i).copied().unwrap_or(0))
                + u64::from(other.limbs.get(i).copied().unwrap_or(0))
                + carry;
            limbs.push(v as u32);
            carry = v >> 32;
        }
        limbs.push(carry as u32);
        Big { limbs }.trimmed()
    }

    /// `self - other`, for `self >= other`.
    fn sub(&self, other: &Big) -> Big {
        let mut limbs = Vec::with_capacity(self.limbs.len());
        let mut borrow = 0i64;
        for (i, &limb) in self.limbs.iter().enumerate() {
            let mut v =
                i64::from(limb) - i64::from(other.limbs.get(i).copied().unwrap_or(0)) - borrow;
            borrow = i64::from(v < 0);
            if v < 0 {
                v += 1 << 32;
            }
            limbs.push(v as u32);
        }
        Big { limbs }.trimmed()
    }

    /// `self /= d`, returning the remainder.
    fn div_small(&mut self, d: u32) -> u32 {
        let mut rem = 0u64;
        for limb in self.limbs.iter_mut().rev() {
            let v = (rem << 32) | u64::from(*limb);
            *limb = (v / u64::from(d)) as u32;
            rem = v % u64::from(d);
        }
        *self = std::mem::take(self).trimmed();
        rem as u32
    }

    fn to_decimal(&self) -> String {
        let mut n = self.clone();
        let mut chunks = Vec::new();
        while !n.is_zero() {
            chunks.push(n.div_small(1_000_000_000));
        }
        let mut out = chunks
            .pop()
            .map_or_else(|| "0".to_string(), |c| c.to_string());
        for chunk in chunks.iter().rev() {
            out.push_str(&format!("{chunk:09}"));
        }
        out
    }
}

impl Ord for Big {
    fn cmp(&self, other: &Big) -> Ordering {
        self.limbs
            .len()
            .cmp(&other.limbs.len())
            .then_with(|| self.limbs.iter().rev().cmp(other.limbs.iter().rev()))
    }
}

impl PartialOrd for Big {
    fn partial_cmp(&self, other: &Big) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incr(value: &str, by: &str) -> String {
        let sum = LongDouble::parse(value.as_bytes())
            .unwrap()
            .add(LongDouble::parse(by.as_bytes()).unwrap());
        sum.to_human_string()
    }

    #[test]
    fn sums_print_as_redis_prints_them() {
        assert_eq!(incr("10.5", "0.1"), "10.6");
        assert_eq!(incr("0", "5.0e3"), "5000");
        assert_eq!(incr("3.0e3", "200"), "3200");
        assert_eq!(incr("0", "0.1"), "0.1");
        assert_eq!(incr("1", "-1"), "0");
        assert_eq!(incr("-0.00000000000000000001", "0"), "0");
        assert_eq!(incr("0", "0x10"), "16");
        assert_eq!(incr("0", "1e-30"), "0");
    }

    #[test]
    fn parsing_follows_string2ld() {
        for bad in [
            "", " 1", "1 ", "abc", "nan", "1e", "1e+", ".", "-", "0x", "1e99999", "1e-99999",
            "infx",
        ] {
            assert_eq!(LongDouble::parse(bad.as_bytes()), None, "{bad:?}");
        }
        assert!(LongDouble::parse(b"inf").is_some_and(|v| !v.is_finite()));
        assert_eq!(LongDouble::parse(b"1\0junk"), None);
        assert_eq!(LongDouble::parse(b"\0"), None);
        assert!(LongDouble::parse(b"1e4932").is_some());
        assert!(LongDouble::parse(b"1e4933").is_none());
        assert!(LongDouble::parse(b"4e-4951").is_some());
    }

    #[test]
    fn overflow_is_infinite() {
        let max = LongDouble::parse(b"1.1e4932").unwrap();
        assert!(!max.add(max).is_finite());
    }
}
