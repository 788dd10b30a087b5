//! Keyspace events: every change to a key is announced once, with Redis's own event name
//! (`set`, `del`, `expired`, `rename_from`...). The page animates them; keyspace
//! notifications and WATCH are built on the same stream.

/// Redis's notification classes (the letters of `notify-keyspace-events`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotifyClass {
    /// `g`: DEL, EXPIRE, RENAME... on any type.
    Generic,
    /// `$`: string commands.
    String,
    /// `l`: list commands.
    List,
    /// `h`: hash commands.
    Hash,
    /// `s`: set commands.
    Set,
    /// `z`: sorted-set commands.
    ZSet,
    /// `t`: stream commands.
    Stream,
    /// `x`: a key expired.
    Expired,
    /// `e`: a key was evicted.
    Evicted,
    /// `m`: a read found no key. Only notified, never an event: nothing changed.
    KeyMiss,
    /// `n`: a key was created. Only notified: the command's own event follows.
    New,
}

impl NotifyClass {
    /// The class's letter in `notify-keyspace-events`.
    pub fn letter(self) -> char {
        match self {
            NotifyClass::Generic => 'g',
            NotifyClass::String => '$',
            NotifyClass::List => 'l',
            NotifyClass::Hash => 'h',
            NotifyClass::Set => 's',
            NotifyClass::ZSet => 'z',
            NotifyClass::Stream => 't',
            NotifyClass::Expired => 'x',
            NotifyClass::Evicted => 'e',
            NotifyClass::KeyMiss => 'm',
            NotifyClass::New => 'n',
        }
    }

    /// The class's bit in the `notify-keyspace-events` flags.
    pub fn bit(self) -> u32 {
        notify_flags::bit(self.letter()).unwrap_or(0)
    }
}

/// `notify-keyspace-events` as flags, read and written with Redis 7.0's letters
/// (`keyspaceEventsStringToFlags`, `keyspaceEventsFlagsToString`).
pub mod notify_flags {
    /// `K`: publish on `__keyspace@<db>__:<key>` channels.
    pub const KEYSPACE: u32 = 1 << 0;
    /// `E`: publish on `__keyevent@<db>__:<event>` channels.
    pub const KEYEVENT: u32 = 1 << 1;
    /// The class letters in Redis's order, each with its bit; `A` stands for the first ten.
    const CLASSES: &[(char, u32)] = &[
        ('g', 1 << 2),
        ('$', 1 << 3),
        ('l', 1 << 4),
        ('s', 1 << 5),
        ('h', 1 << 6),
        ('z', 1 << 7),
        ('x', 1 << 8),
        ('e', 1 << 9),
        ('t', 1 << 10),
        ('d', 1 << 11),
        ('n', 1 << 12),
        ('m', 1 << 13),
    ];
    /// `A`: every class but `n` and `m`.
    pub const ALL: u32 = (1 << 12) - (1 << 2);

    /// The bit of a class letter.
    pub fn bit(letter: char) -> Option<u32> {
        CLASSES.iter().find(|(l, _)| *l == letter).map(|(_, b)| *b)
    }

    /// Reads the letters; `None` for any other character.
    pub fn parse(text: &[u8]) -> Option<u32> {
        text.iter().try_fold(0, |flags, &c| {
            let bit = match c {
                b'A' => ALL,
                b'K' => KEYSPACE,
                b'E' => KEYEVENT,
                _ => bit(char::from(c))?,
            };
            Some(flags | bit)
        })
    }

    /// Writes the flags as CONFIG GET shows them: `A` when every class it stands for is on
    /// (then `n` is not written even when set, as in Redis 7.0), otherwise each class; then
    /// `K`, `E`, and `m`.
    pub fn format(flags: u32) -> String {
        let mut text = String::new();
        if flags & ALL == ALL {
            text.push('A');
        } else {
            let classes = CLASSES.iter().filter(|(l, _)| *l != 'm');
            text.extend(classes.filter(|(_, b)| flags & b != 0).map(|(l, _)| l));
        }
        for (letter, bit) in [('K', KEYSPACE), ('E', KEYEVENT), ('m', 1 << 13)] {
            if flags & bit != 0 {
                text.push(letter);
            }
        }
        text
    }
}

/// One change to one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyspaceEvent {
    pub class: NotifyClass,
    /// Redis's event name, as keyspace notifications spell it.
    pub event: &'static str,
    pub db: usize,
    pub key: Vec<u8>,
}

#[cfg(test)]
mod tests {
    use super::notify_flags::{format, parse, ALL, KEYEVENT, KEYSPACE};

    #[test]
    fn notify_flags_read_and_print_as_redis_7_0() {
        assert_eq!(parse(b""), Some(0));
        assert_eq!(parse(b"KEA"), Some(ALL | KEYSPACE | KEYEVENT));
        assert_eq!(parse(b"Kq"), None);
        assert_eq!(parse(b"K E"), None);
        assert_eq!(format(parse(b"KEA").unwrap()), "AKE");
        // Every class letter spelled out is A; n is then not printed, m is.
        assert_eq!(format(parse(b"g$lshzxetdmnKE").unwrap()), "AKEm");
        assert_eq!(format(parse(b"Agmn").unwrap()), "Am");
        assert_eq!(format(parse(b"xg").unwrap()), "gx");
        assert_eq!(format(parse(b"En").unwrap()), "nE");
    }
}
