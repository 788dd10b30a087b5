//! Configuration: one table of parameters (name, type, default, validation) behind
//! `CONFIG GET/SET` and behind the native server's command-line arguments, as Redis's
//! `config.c` keeps one `standardConfig` table for both.

use crate::error::Error;

/// How a parameter's value is written and checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigKind {
    /// `yes` / `no`.
    Bool,
    /// A whole number within `min..=max`.
    Int { min: i64, max: i64 },
    /// Bytes, written with Redis's units (`256mb`, `1gb`, `100k`), within `min..=max`.
    Memory { min: i64, max: i64 },
    /// One of a fixed set of words.
    Enum(&'static [&'static str]),
    /// Free text.
    Text,
}

/// One row of the config table.
#[derive(Debug)]
pub struct ConfigParam {
    pub name: &'static str,
    /// Older names Redis still accepts (`hash-max-ziplist-entries` for `...listpack...`).
    pub aliases: &'static [&'static str],
    pub kind: ConfigKind,
    /// The default, written as CONFIG GET prints it.
    pub default: &'static str,
    /// False for parameters that can only be given at start (`databases`, `port`).
    pub mutable: bool,
}

/// Every parameter the engine knows, in the order CONFIG GET lists them.
pub static PARAMS: &[ConfigParam] = &[
    ConfigParam {
        name: "databases",
        aliases: &[],
        kind: ConfigKind::Int { min: 1, max: i32::MAX as i64 },
        default: "16",
        mutable: false,
    },
    ConfigParam {
        name: "hz",
        aliases: &[],
        kind: ConfigKind::Int { min: 0, max: i32::MAX as i64 },
        default: "10",
        mutable: true,
    },
    ConfigParam {
        name: "active-expire-effort",
        aliases: &[],
        kind: ConfigKind::Int { min: 1, max: 10 },
        default: "1",
        mutable: true,
    },
    ConfigParam {
        name: "proto-max-bulk-len",
        aliases: &[],
        kind: ConfigKind::Memory { min: 1024 * 1024, max: i64::MAX },
        default: "536870912",
        mutable: true,
    },
];

/// A parsed value.
#[derive(Clone, Debug, PartialEq)]
enum ConfigValue {
    Bool(bool),
    Int(i64),
    Text(String),
}

/// The current value of every parameter in [`PARAMS`].
#[derive(Clone, Debug)]
pub struct Config {
    values: Vec<ConfigValue>,
}

impl Default for Config {
    fn default() -> Config {
        let values = PARAMS
            .iter()
            .map(|p| parse(p, p.default.as_bytes()).unwrap_or(ConfigValue::Text(p.default.to_string())))
            .collect();
        Config { values }
    }
}

impl Config {
    /// The parameter called `name` (any case, aliases included) and its index.
    pub fn param(name: &[u8]) -> Option<(usize, &'static ConfigParam)> {
        PARAMS.iter().enumerate().find(|(_, p)| {
            p.name.as_bytes().eq_ignore_ascii_case(name)
                || p.aliases.iter().any(|a| a.as_bytes().eq_ignore_ascii_case(name))
        })
    }

    /// Sets a parameter from its text form, checking it as CONFIG SET does. `at_startup`
    /// allows immutable parameters (command-line arguments).
    pub fn set(&mut self, name: &[u8], value: &[u8], at_startup: bool) -> Result<(), Error> {
        let display = String::from_utf8_lossy(name).to_lowercase();
        let (index, param) = Config::param(name).ok_or_else(|| Error::ConfigSetUnknown(display.clone()))?;
        if !param.mutable && !at_startup {
            return Err(Error::ConfigSetFailed { name: display, reason: "can't set immutable config".into() });
        }
        self.values[index] =
            parse(param, value).map_err(|reason| Error::ConfigSetFailed { name: display, reason })?;
        Ok(())
    }

    /// The value as CONFIG GET prints it.
    pub fn get(&self, index: usize) -> String {
        match &self.values[index] {
            ConfigValue::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
            ConfigValue::Int(n) => n.to_string(),
            ConfigValue::Text(s) => s.clone(),
        }
    }

    /// An integer or memory parameter. Names come from the engine's own code, never from input.
    pub fn int(&self, name: &str) -> i64 {
        match Config::param(name.as_bytes()).map(|(i, _)| &self.values[i]) {
            Some(ConfigValue::Int(n)) => *n,
            _ => 0,
        }
    }

    /// A yes/no parameter.
    pub fn flag(&self, name: &str) -> bool {
        matches!(Config::param(name.as_bytes()).map(|(i, _)| &self.values[i]), Some(ConfigValue::Bool(true)))
    }

    /// A text or enum parameter.
    pub fn text(&self, name: &str) -> &str {
        match Config::param(name.as_bytes()).map(|(i, _)| &self.values[i]) {
            Some(ConfigValue::Text(s)) => s,
            _ => "",
        }
    }
}

fn parse(param: &ConfigParam, value: &[u8]) -> Result<ConfigValue, String> {
    let text = std::str::from_utf8(value).map_err(|_| "argument couldn't be parsed".to_string())?;
    match param.kind {
        ConfigKind::Bool => match text.to_ascii_lowercase().as_str() {
            "yes" => Ok(ConfigValue::Bool(true)),
            "no" => Ok(ConfigValue::Bool(false)),
            _ => Err("argument must be 'yes' or 'no'".into()),
        },
        ConfigKind::Int { min, max } => {
            let n: i64 = text.parse().map_err(|_| "argument couldn't be parsed into an integer".to_string())?;
            in_range(n, min, max)
        }
        ConfigKind::Memory { min, max } => {
            let n = parse_memory(text).ok_or_else(|| "argument must be a memory value".to_string())?;
            in_range(n, min, max)
        }
        ConfigKind::Enum(words) => {
            let lower = text.to_ascii_lowercase();
            if words.contains(&lower.as_str()) {
                Ok(ConfigValue::Text(lower))
            } else {
                Err(format!("argument(s) must be one of the following: {}", words.join(", ")))
            }
        }
        ConfigKind::Text => Ok(ConfigValue::Text(text.to_string())),
    }
}

fn in_range(n: i64, min: i64, max: i64) -> Result<ConfigValue, String> {
    if (min..=max).contains(&n) {
        Ok(ConfigValue::Int(n))
    } else {
        Err(format!("argument must be between {min} and {max} inclusive"))
    }
}

/// Redis's memory units (`memtoull`): a number with an optional `b`, `k`, `kb`, `m`, `mb`, `g`,
/// `gb` suffix in any case; `k` is 1000 and `kb` 1024.
pub fn parse_memory(text: &str) -> Option<i64> {
    let lower = text.to_ascii_lowercase();
    let split = lower.find(|c: char| !c.is_ascii_digit() && c != '-').unwrap_or(lower.len());
    let (digits, unit) = lower.split_at(split);
    let mul: i64 = match unit {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    digits.parse::<i64>().ok()?.checked_mul(mul)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_units() {
        assert_eq!(parse_memory("256mb"), Some(256 * 1024 * 1024));
        assert_eq!(parse_memory("1GB"), Some(1 << 30));
        assert_eq!(parse_memory("100k"), Some(100_000));
        assert_eq!(parse_memory("12"), Some(12));
        assert_eq!(parse_memory("1tb"), None);
    }

    #[test]
    fn set_checks_range_and_mutability() {
        let mut config = Config::default();
        assert_eq!(config.int("hz"), 10);
        config.set(b"HZ", b"100", false).unwrap();
        assert_eq!(config.int("hz"), 100);
        assert!(config.set(b"active-expire-effort", b"11", false).is_err());
        assert!(config.set(b"databases", b"4", false).is_err());
        config.set(b"databases", b"4", true).unwrap();
        assert_eq!(config.int("databases"), 4);
    }
}
