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
    /// `x`: a key expired.
    Expired,
    /// `e`: a key was evicted.
    Evicted,
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
            NotifyClass::Expired => 'x',
            NotifyClass::Evicted => 'e',
        }
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
