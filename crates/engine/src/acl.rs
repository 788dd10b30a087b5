//! Users and their permissions: Redis 7.0's ACL, as `acl.c` keeps it.
//!
//! # How Redis's ACL works
//!
//! Every connection runs as a *user*. A fresh server has one, `default`, with no password
//! (`nopass`) and every permission (`~* &* +@all`); a connection starts authenticated as
//! `default` only while that user is enabled and needs no password, and otherwise must send
//! `AUTH` (or `HELLO ... AUTH`) before anything but the commands flagged `no_auth` (AUTH,
//! HELLO, QUIT, RESET). `requirepass` is no separate mechanism: setting it gives `default`
//! that one password (`resetpass >pass`), and setting it empty gives it `nopass` again.
//! Authentication is checked once: a connection that authenticated stays so when its user's
//! passwords change or it is switched off; only deleting the user closes its connections.
//!
//! A user is a list of flags (`on`/`off`, `nopass`, the payload-sanitizing pair), a list of
//! password hashes (SHA-256, hex: Redis never keeps a password itself, and `#<hash>` adds a
//! hash directly), and one or more *selectors*. The first, the root selector, is the one the
//! rules outside parentheses change; each `(...)` adds another. A command is allowed when any
//! selector allows all of it; otherwise the refusal reported is the "most specific" one over
//! the selectors (a channel beats a key beats the command itself).
//!
//! A selector holds three permissions:
//!
//! * commands: one bit per command and per subcommand (`+get`, `-client|kill`), set or cleared
//!   a category at a time (`+@read`, `-@dangerous`: categories are properties of the command
//!   table, see [`categories`]). `+@all` (`allcommands`) also sets a bit no command has, which
//!   says "and whatever commands are added later"; it decides whether ACL LIST starts the
//!   description with `+@all` or `-@all`. `+select|0` allows one first argument of a command
//!   otherwise refused (deprecated, still answered). Commands flagged `no_auth` are always
//!   allowed.
//! * keys: `allkeys` (`~*`), or patterns matched with Redis's glob, each for reading (`%R~`),
//!   writing (`%W~`) or both (`~`). Which permissions a key needs comes from the command's
//!   key specs (`crate::spec::KeySpec`, or for SET, SORT and the counted-keys commands their
//!   `get_keys_function`), key by key, as `ACLSelectorCheckKey` reads them: `access` needs
//!   read, `insert`, `delete` or `update` need write, and a pattern allows the key only when
//!   it grants all that the key needs. So `%W~*` alone allows DEL (`RM delete`) and LPUSH
//!   (`RW insert`) but not GET (`RO access`); SET needs only write unless it has GET; a key
//!   that is neither read nor written (EXISTS, TYPE, OBJECT: flagged `RO` alone) is allowed by
//!   any matching pattern.
//! * channels: `allchannels` (`&*`), or patterns. A published-to or subscribed channel must
//!   match a pattern; a PSUBSCRIBE pattern must equal one literally.
//!
//! ACL LIST and GETUSER describe the command bits, not the rules as typed. Redis 7.0 rebuilds
//! a description greedily (`ACLDescribeSelectorCommandRules`), and ours follows it step by
//! step: start from `+@all` or `-@all` (the future-commands bit), then repeatedly add the
//! category that covers more still-unexplained commands than it gets wrong, fewest wrong
//! first and most covered on a tie (categories tried in [`CATEGORIES`] order; a chosen
//! category is applied backwards to a copy of the bits, containers taking their subcommands
//! along, so that its commands no longer count as unexplained), and finally add or remove
//! single commands, each container followed by its subcommands, until the bits match.
//!
//! Two things still make our text differ from Redis's for some users. The greedy step counts
//! commands, and our table has fewer: @set, @sortedset, @list, @hash, @string, @bitmap,
//! @hyperloglog, @geo, @pubsub and @transaction hold exactly Redis's commands, but @keyspace,
//! @read, @write, @admin, @fast, @slow, @blocking, @dangerous and @connection hold fewer, and
//! @stream and @scripting none, so a category can be chosen here and not there (or the
//! other way round) when a user's commands are near the threshold. And Redis walks its command
//! hash table for the single commands, in an order that changes with every start (its hash
//! seed is random), where ours walks the spec table: two or more single commands come in a
//! different order.
//!
//! With `aclfile` given at start (the native server only), users live in that file too: the
//! server loads it before it accepts anyone and refuses to start on a bad one, ACL LOAD
//! replaces every user with the file's (all or nothing, see [`load_users`]; connections of
//! users other than `default` are closed, as Redis frees the old users), and ACL SAVE writes
//! the ACL LIST lines back. Without it both answer that no ACL file is configured.
//!
//! Refusals are recorded in the ACL LOG: the newest first, at most `acllog-max-len` (128)
//! entries, and a refusal like one less than 60 seconds old (same reason, context, object and
//! user) counts into that entry instead of adding one.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use crate::glob;
use crate::spec::{self, flag, key_flag, CommandSpec};

/// Redis's ACL categories, in its order (`ACL CAT`, COMMAND INFO, the description's greedy
/// pass).
pub const CATEGORIES: &[&str] = &[
    "keyspace",
    "read",
    "write",
    "set",
    "sortedset",
    "list",
    "hash",
    "string",
    "bitmap",
    "hyperloglog",
    "geo",
    "stream",
    "pubsub",
    "admin",
    "fast",
    "slow",
    "blocking",
    "dangerous",
    "connection",
    "transaction",
    "scripting",
];

/// The bit of the category called `name` (any case) in a [`categories`] mask.
pub fn category_bit(name: &[u8]) -> Option<u32> {
    CATEGORIES
        .iter()
        .position(|c| c.as_bytes().eq_ignore_ascii_case(name))
        .map(|i| 1 << i)
}

/// The categories of a command as a mask over [`CATEGORIES`], derived as Redis derives what
/// its JSON files leave implicit: the data type of the command's group (none for a container
/// or a row that names its own data types), the `ACL_*` categories the row declares, and what
/// its flags imply (`write` → @write, `readonly` → @read, `admin` → @admin and @dangerous,
/// `pubsub` → @pubsub, `fast` → @fast and otherwise @slow, `blocking` → @blocking).
pub fn categories(spec: &CommandSpec) -> u32 {
    let bit = |name: &str| category_bit(name.as_bytes()).unwrap_or(0);
    let declared_types = flag::ACL_LIST | flag::ACL_SET | flag::ACL_SORTEDSET;
    let by_group = match spec.group {
        _ if spec.handler.is_none() || spec.has(declared_types) => 0,
        // WAIT is generic but about the connection's writes, not keys: @connection alone.
        "generic" if spec.has(flag::ACL_CONNECTION) => 0,
        "generic" => bit("keyspace"),
        "sorted-set" => bit("sortedset"),
        "transactions" => bit("transaction"),
        // The pubsub category comes from the PUBSUB flag alone (PUBSUB HELP has the group
        // but not the flag, nor the category).
        "pubsub" => 0,
        group => bit(group),
    };
    let fast = spec.has(flag::FAST);
    let implied = [
        (spec.has(flag::WRITE), "write"),
        (
            spec.has(flag::READONLY) && spec.group != "scripting",
            "read",
        ),
        (spec.has(flag::ADMIN | flag::ACL_ADMIN), "admin"),
        (spec.has(flag::ADMIN | flag::ACL_DANGEROUS), "dangerous"),
        (spec.has(flag::PUBSUB), "pubsub"),
        (fast, "fast"),
        (!fast, "slow"),
        (spec.has(flag::BLOCKING), "blocking"),
        (spec.has(flag::ACL_KEYSPACE), "keyspace"),
        (spec.has(flag::ACL_CONNECTION), "connection"),
        (spec.has(flag::ACL_LIST), "list"),
        (spec.has(flag::ACL_SET), "set"),
        (spec.has(flag::ACL_SORTEDSET), "sortedset"),
    ];
    implied
        .iter()
        .filter(|(on, _)| *on)
        .fold(by_group, |mask, (_, name)| mask | bit(name))
}

/// A command as ACL rules name it: every top-level command, each followed by its
/// subcommands, numbered in that order (Redis's command ids).
pub struct AclCommand {
    pub spec: &'static CommandSpec,
    /// `get`, `client|id`.
    pub full_name: String,
    /// The container's id, for a subcommand.
    pub parent: Option<usize>,
    /// The ids of its subcommands.
    pub subcommands: std::ops::Range<usize>,
    pub categories: u32,
}

struct CommandTable {
    commands: Vec<AclCommand>,
    /// By row address: the spec a command resolved to gives its id.
    by_spec: HashMap<usize, usize, BuildHasherDefault<AddressHasher>>,
}

/// Hashes a row's address with one multiplication: the keys are a few hundred distinct
/// static addresses, looked up on every command a restricted user runs, where SipHash's
/// resistance to chosen keys buys nothing.
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

fn table() -> &'static CommandTable {
    static TABLE: OnceLock<CommandTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut commands = Vec::new();
        for spec in spec::table() {
            let id = commands.len();
            let first_sub = id + 1;
            commands.push(AclCommand {
                spec,
                full_name: spec.name.to_string(),
                parent: None,
                subcommands: first_sub..first_sub + spec.subcommands.len(),
                categories: categories(spec),
            });
            for sub in spec.subcommands {
                commands.push(AclCommand {
                    spec: sub,
                    full_name: format!("{}|{}", spec.name, sub.name),
                    parent: Some(id),
                    subcommands: 0..0,
                    categories: categories(sub),
                });
            }
        }
        let by_spec = commands
            .iter()
            .enumerate()
            .map(|(id, c)| (c.spec as *const CommandSpec as usize, id))
            .collect();
        CommandTable { commands, by_spec }
    })
}

/// Every command, by id.
pub fn commands() -> &'static [AclCommand] {
    &table().commands
}

/// The id of the command a resolved spec row is.
pub fn command_id(spec: &CommandSpec) -> Option<usize> {
    table()
        .by_spec
        .get(&(spec as *const CommandSpec as usize))
        .copied()
}

/// The command a full name (`get`, `CLIENT|ID`) names, as Redis's `ACLLookupCommand` reads
/// it: a name of a command without subcommands followed by `|x` names nothing.
fn lookup(full_name: &[u8]) -> Option<usize> {
    let mut parts = full_name.split(|&b| b == b'|');
    let top = command_id(spec::lookup(parts.next()?)?)?;
    match (parts.next(), parts.next()) {
        (None, _) => Some(top),
        (Some(sub), None) => commands()[top].subcommands.clone().find(|&id| {
            commands()[id]
                .spec
                .name
                .as_bytes()
                .eq_ignore_ascii_case(sub)
        }),
        _ => None,
    }
}

/// What Redis writes instead of a secret argument.
const REDACTED: &[u8] = b"(redacted)";

/// A command's arguments as the slow log may keep them: AUTH's, the user and password of
/// HELLO's AUTH option, and everything after ACL SETUSER read `(redacted)`, as Redis redacts
/// them while it parses them (so an invalid HELLO keeps what came before its mistake).
pub fn redacted<'a>(name: &str, argv: &'a [Vec<u8>]) -> std::borrow::Cow<'a, [Vec<u8>]> {
    let secret: Vec<usize> = match name {
        "auth" => (1..argv.len()).collect(),
        "acl|setuser" => (2..argv.len()).collect(),
        "hello" => {
            let mut secret = Vec::new();
            let mut j = 2;
            while j < argv.len() {
                let more = argv.len() - 1 - j;
                if argv[j].eq_ignore_ascii_case(b"auth") && more >= 2 {
                    secret.extend([j + 1, j + 2]);
                    j += 3;
                } else if argv[j].eq_ignore_ascii_case(b"setname") && more >= 1 {
                    j += 2;
                } else {
                    break;
                }
            }
            secret
        }
        _ => Vec::new(),
    };
    if secret.is_empty() {
        return std::borrow::Cow::Borrowed(argv);
    }
    let mut argv = argv.to_vec();
    for i in secret {
        argv[i] = REDACTED.to_vec();
    }
    std::borrow::Cow::Owned(argv)
}

/// Why an ACL SETUSER rule was refused: Redis's `errno` values and their texts
/// (`ACLSetUserStringError`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleError {
    /// ENOENT
    UnknownName,
    /// EINVAL
    Syntax,
    /// EEXIST
    KeyAfterAllKeys,
    /// EISDIR
    ChannelAfterAllChannels,
    /// ENODEV
    NoSuchPassword,
    /// EBADMSG
    BadHash,
    /// ECHILD
    FirstArgOfSubcommand,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RuleError::UnknownName => "Unknown command or category name in ACL",
            RuleError::Syntax => "Syntax error",
            RuleError::KeyAfterAllKeys => "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
            RuleError::ChannelAfterAllChannels => "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
            RuleError::NoSuchPassword => "The password you are trying to remove from the user does not exist",
            RuleError::BadHash => "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters",
            RuleError::FirstArgOfSubcommand => "Allowing first-arg of a subcommand is not supported",
        })
    }
}

/// A key pattern and what it allows.
#[derive(Clone, Debug, PartialEq, Eq)]
struct KeyPattern {
    read: bool,
    write: bool,
    pattern: Vec<u8>,
}

impl KeyPattern {
    fn describe(&self) -> String {
        let prefix = match (self.read, self.write) {
            (true, true) => "~",
            (true, false) => "%R~",
            _ => "%W~",
        };
        format!("{prefix}{}", String::from_utf8_lossy(&self.pattern))
    }
}

/// One set of command, key and channel permissions (see the module essay).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    /// Per command id.
    allowed: Vec<bool>,
    /// The bit only `+@all` sets: commands added later are allowed too.
    future: bool,
    /// First arguments allowed of commands otherwise refused (`+select|0`), by command id.
    first_args: BTreeMap<usize, Vec<Vec<u8>>>,
    all_keys: bool,
    patterns: Vec<KeyPattern>,
    all_channels: bool,
    channels: Vec<Vec<u8>>,
}

/// Why a selector (or a user) refuses a command; ordered as Redis ranks them
/// (`ACL_DENIED_CMD` < `ACL_DENIED_KEY` < `ACL_DENIED_CHANNEL`), with the argument's index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Denied {
    Command,
    Key(usize),
    Channel(usize),
}

impl Selector {
    /// A selector allowing nothing, as `acl-pubsub-default` (`resetchannels` in 7.0) gives.
    fn empty() -> Selector {
        Selector {
            allowed: vec![false; commands().len()],
            future: false,
            first_args: BTreeMap::new(),
            all_keys: false,
            patterns: Vec::new(),
            all_channels: false,
            channels: Vec::new(),
        }
    }

    /// A new selector: nothing allowed, but every channel when `all_channels`
    /// (`acl-pubsub-default`, Redis's `ACLCreateSelector`).
    fn fresh(all_channels: bool) -> Selector {
        Selector {
            all_channels,
            ..Selector::empty()
        }
    }

    fn is_unrestricted(&self) -> bool {
        self.all_keys && self.all_channels && self.allowed.iter().all(|&b| b)
    }

    /// Sets or clears a command's bit and its subcommands', forgetting its first arguments
    /// (`ACLChangeSelectorPerm`).
    fn change(&mut self, id: usize, allow: bool) {
        self.allowed[id] = allow;
        self.first_args.remove(&id);
        for sub in commands()[id].subcommands.clone() {
            self.allowed[sub] = allow;
        }
    }

    fn change_category(&mut self, bit: u32, allow: bool) {
        for (id, command) in commands().iter().enumerate() {
            if command.categories & bit != 0 {
                self.change(id, allow);
            }
        }
    }

    /// Applies one rule (`ACLSetSelector`).
    fn apply(&mut self, op: &[u8]) -> Result<(), RuleError> {
        let is = |word: &str| op.eq_ignore_ascii_case(word.as_bytes());
        if is("allkeys") || op == b"~*" {
            self.all_keys = true;
            self.patterns.clear();
        } else if is("resetkeys") {
            self.all_keys = false;
            self.patterns.clear();
        } else if is("allchannels") || op == b"&*" {
            self.all_channels = true;
            self.channels.clear();
        } else if is("resetchannels") {
            self.all_channels = false;
            self.channels.clear();
        } else if is("allcommands") || is("+@all") {
            self.allowed.iter_mut().for_each(|b| *b = true);
            self.future = true;
            self.first_args.clear();
        } else if is("nocommands") || is("-@all") {
            self.allowed.iter_mut().for_each(|b| *b = false);
            self.future = false;
            self.first_args.clear();
        } else if op.first() == Some(&b'~') || op.first() == Some(&b'%') {
            self.add_key_pattern(op)?;
        } else if let Some(pattern) = op.strip_prefix(b"&") {
            if self.all_channels {
                return Err(RuleError::ChannelAfterAllChannels);
            }
            if pattern.contains(&b' ') {
                return Err(RuleError::Syntax);
            }
            if !self.channels.iter().any(|c| c == pattern) {
                self.channels.push(pattern.to_vec());
            }
        } else if let Some(category) = op.strip_prefix(b"+@").or_else(|| op.strip_prefix(b"-@")) {
            let bit = category_bit(category).ok_or(RuleError::UnknownName)?;
            self.change_category(bit, op[0] == b'+');
        } else if let Some(name) = op.strip_prefix(b"+") {
            self.allow_command(name)?;
        } else if let Some(name) = op.strip_prefix(b"-") {
            let id = lookup(name).ok_or(RuleError::UnknownName)?;
            self.change(id, false);
        } else {
            return Err(RuleError::Syntax);
        }
        Ok(())
    }

    /// `+name`: a command, a subcommand (`client|id`), or a first argument of a command
    /// without subcommands (`select|0`). Redis splits at the last `|`.
    fn allow_command(&mut self, name: &[u8]) -> Result<(), RuleError> {
        let Some(bar) = name.iter().rposition(|&b| b == b'|') else {
            let id = lookup(name).ok_or(RuleError::UnknownName)?;
            self.change(id, true);
            return Ok(());
        };
        let (command, first_arg) = (&name[..bar], &name[bar + 1..]);
        let id = lookup(command).ok_or(RuleError::UnknownName)?;
        if commands()[id].parent.is_some() {
            return Err(RuleError::FirstArgOfSubcommand);
        }
        if first_arg.is_empty() {
            return Err(RuleError::Syntax);
        }
        if !commands()[id].subcommands.is_empty() {
            let sub = lookup(name).ok_or(RuleError::UnknownName)?;
            self.change(sub, true);
        } else {
            let allowed = self.first_args.entry(id).or_default();
            if !allowed.iter().any(|a| a.eq_ignore_ascii_case(first_arg)) {
                allowed.push(first_arg.to_vec());
            }
        }
        Ok(())
    }

    /// `~pattern`, `%R~pattern`, `%W~pattern`, `%RW~pattern`.
    fn add_key_pattern(&mut self, op: &[u8]) -> Result<(), RuleError> {
        if self.all_keys {
            return Err(RuleError::KeyAfterAllKeys);
        }
        let (read, write, pattern) = if op[0] == b'~' {
            (true, true, &op[1..])
        } else {
            let (mut read, mut write) = (false, false);
            let mut offset = 1;
            while offset < op.len() {
                match op[offset].to_ascii_uppercase() {
                    b'R' if !read => read = true,
                    b'W' if !write => write = true,
                    b'~' => {
                        offset += 1;
                        break;
                    }
                    _ => return Err(RuleError::Syntax),
                }
                offset += 1;
            }
            if !read && !write {
                return Err(RuleError::Syntax);
            }
            (read, write, &op[offset..])
        };
        if pattern.contains(&b' ') {
            return Err(RuleError::Syntax);
        }
        match self.patterns.iter_mut().find(|p| p.pattern == pattern) {
            Some(existing) => {
                existing.read |= read;
                existing.write |= write;
            }
            None => self.patterns.push(KeyPattern {
                read,
                write,
                pattern: pattern.to_vec(),
            }),
        }
        Ok(())
    }

    /// The key part of a description: `~*`, or the patterns.
    fn describe_keys(&self) -> String {
        if self.all_keys {
            return "~*".into();
        }
        let patterns: Vec<String> = self.patterns.iter().map(KeyPattern::describe).collect();
        patterns.join(" ")
    }

    /// The channel part for GETUSER: `&*`, or the patterns.
    fn describe_channels(&self) -> String {
        if self.all_channels {
            return "&*".into();
        }
        let channels: Vec<String> = self
            .channels
            .iter()
            .map(|c| format!("&{}", String::from_utf8_lossy(c)))
            .collect();
        channels.join(" ")
    }

    /// The command part of a description, rebuilt from the bits as the module essay tells
    /// (`ACLDescribeSelectorCommandRules`).
    pub fn describe_commands(&self) -> String {
        let mut rules = Vec::new();
        let mut fake = Selector::empty();
        let additive = !self.future;
        if additive {
            rules.push("-@all".to_string());
        } else {
            rules.push("+@all".to_string());
            fake.apply(b"+@all").ok();
        }
        // What is left to explain, as Redis's temporary selector keeps it: the user's bits, with
        // each category chosen applied the other way round (so `+@all`'s removals read as set
        // bits once explained). As on any selector, a container's change reaches its
        // subcommands, whatever their own categories.
        let mut temp = Selector {
            allowed: self.allowed.clone(),
            ..Selector::empty()
        };
        let mut applied = [false; 32];
        loop {
            let mut best = None;
            let (mut min_diff, mut max_same) = (usize::MAX, 0);
            for (index, _) in CATEGORIES.iter().enumerate() {
                if applied[index] {
                    continue;
                }
                let (mut on, mut off) = (0, 0);
                for (id, command) in commands().iter().enumerate() {
                    if command.categories & (1 << index) != 0 {
                        if temp.allowed[id] {
                            on += 1;
                        } else {
                            off += 1;
                        }
                    }
                }
                let (same, diff) = if additive { (on, off) } else { (off, on) };
                if same > diff && (diff < min_diff || (diff == min_diff && same > max_same)) {
                    best = Some(index);
                    min_diff = diff;
                    max_same = same;
                }
            }
            let Some(index) = best else { break };
            applied[index] = true;
            fake.change_category(1 << index, additive);
            temp.change_category(1 << index, !additive);
            let sign = if additive { '+' } else { '-' };
            rules.push(format!("{sign}@{}", CATEGORIES[index]));
        }
        for (id, command) in commands().iter().enumerate() {
            let user_bit = self.allowed[id];
            if user_bit != fake.allowed[id] {
                let sign = if user_bit { '+' } else { '-' };
                rules.push(format!("{sign}{}", command.full_name));
                fake.change(id, user_bit);
            }
            if !user_bit {
                for arg in self.first_args.get(&id).into_iter().flatten() {
                    rules.push(format!(
                        "+{}|{}",
                        command.full_name,
                        String::from_utf8_lossy(arg)
                    ));
                }
            }
        }
        rules.join(" ")
    }

    /// The whole selector as ACL LIST writes it: keys, channels, commands.
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        let keys = self.describe_keys();
        if !keys.is_empty() {
            parts.push(keys);
        }
        if self.all_channels {
            parts.push("&*".into());
        } else {
            parts.push("resetchannels".into());
            parts.extend(
                self.channels
                    .iter()
                    .map(|c| format!("&{}", String::from_utf8_lossy(c))),
            );
        }
        parts.push(self.describe_commands());
        parts.join(" ")
    }

    /// May this selector run `argv`, resolved to command `id` (`ACLSelectorCheckCmd`)?
    fn check(&self, id: usize, argv: &[Vec<u8>]) -> Result<(), Denied> {
        let command = &commands()[id];
        if !command.spec.has(flag::NO_AUTH) && !self.allowed[id] {
            let at = if command.parent.is_some() { 2 } else { 1 };
            let first_arg_ok = argv.get(at).is_some_and(|arg| {
                self.first_args
                    .get(&id)
                    .is_some_and(|allowed| allowed.iter().any(|a| a.eq_ignore_ascii_case(arg)))
            });
            if !first_arg_ok {
                return Err(Denied::Command);
            }
        }
        if !self.all_keys && crate::cmd::server::has_keys(command.spec) {
            for (index, flags) in crate::cmd::server::command_keys(command.spec, argv) {
                let read = flags & key_flag::ACCESS != 0;
                let write = flags & (key_flag::INSERT | key_flag::DELETE | key_flag::UPDATE) != 0;
                let ok = self.patterns.iter().any(|p| {
                    (p.read || !read)
                        && (p.write || !write)
                        && glob::matches(&p.pattern, &argv[index], false)
                });
                if !ok {
                    return Err(Denied::Key(index));
                }
            }
        }
        if !self.all_channels {
            let (indexes, is_pattern) = channel_indexes(command, argv);
            for index in indexes {
                let channel = &argv[index];
                let ok = self.channels.iter().any(|p| {
                    if is_pattern {
                        p == channel
                    } else {
                        glob::matches(p, channel, false)
                    }
                });
                if !ok {
                    return Err(Denied::Channel(index));
                }
            }
        }
        Ok(())
    }
}

/// The channels a command publishes to or subscribes to, and whether they are patterns
/// (PSUBSCRIBE). Unsubscribing needs no permission.
fn channel_indexes(command: &AclCommand, argv: &[Vec<u8>]) -> (Vec<usize>, bool) {
    match command.full_name.as_str() {
        "publish" | "spublish" => ((1..2.min(argv.len())).collect(), false),
        "subscribe" | "ssubscribe" => ((1..argv.len()).collect(), false),
        "psubscribe" => ((1..argv.len()).collect(), true),
        _ => (Vec::new(), false),
    }
}

/// A user (see the module essay).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub name: Vec<u8>,
    /// `on`; a new user is `off`.
    pub enabled: bool,
    pub nopass: bool,
    /// `skip-sanitize-payload` (Some(false)) or `sanitize-payload` (Some(true)), once set.
    sanitize_payload: Option<bool>,
    /// SHA-256 hashes, lower-case hex, in the order added.
    passwords: Vec<String>,
    /// The root selector first.
    selectors: Vec<Selector>,
    /// The root selector allows every command, key and channel (the default user's `~* &*
    /// +@all`): the check before every command can stop here.
    unrestricted: bool,
}

/// SHA-256 of a password, in lower-case hex: how Redis keeps passwords.
pub fn hash_password(password: &[u8]) -> String {
    Sha256::digest(password)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn valid_hash(hash: &[u8]) -> bool {
    hash.len() == 64 && hash.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl User {
    /// A new user as ACL SETUSER creates it: `off`, no password, no permissions, and no
    /// channels, or all of them when `all_channels` (`acl-pubsub-default allchannels`).
    pub fn new(name: &[u8], all_channels: bool) -> User {
        User {
            name: name.to_vec(),
            enabled: false,
            nopass: false,
            sanitize_payload: None,
            passwords: Vec::new(),
            selectors: vec![Selector::fresh(all_channels)],
            unrestricted: false,
        }
    }

    /// The `default` user of a fresh server: `on nopass ~* &* +@all`.
    pub fn default_user() -> User {
        let mut user = User::new(b"default", false);
        for rule in ["on", "nopass", "~*", "&*", "+@all"] {
            user.apply(rule.as_bytes()).ok();
        }
        user
    }

    fn root(&mut self) -> &mut Selector {
        &mut self.selectors[0]
    }

    /// Applies one rule under `acl-pubsub-default`'s default, `resetchannels`
    /// ([`User::apply_as`]).
    pub fn apply(&mut self, op: &[u8]) -> Result<(), RuleError> {
        self.apply_as(op, false)
    }

    /// Applies one rule, as ACL SETUSER gives them (`ACLSetUser`). A `(...)` rule adds a
    /// selector built from the rules inside; it starts with every channel when
    /// `all_channels` (`acl-pubsub-default allchannels`), as `reset` then ends with them.
    pub fn apply_as(&mut self, op: &[u8], all_channels: bool) -> Result<(), RuleError> {
        let is = |word: &str| op.eq_ignore_ascii_case(word.as_bytes());
        if op.is_empty() {
        } else if is("on") {
            self.enabled = true;
        } else if is("off") {
            self.enabled = false;
        } else if is("skip-sanitize-payload") {
            self.sanitize_payload = Some(false);
        } else if is("sanitize-payload") {
            self.sanitize_payload = Some(true);
        } else if is("nopass") {
            self.nopass = true;
            self.passwords.clear();
        } else if is("resetpass") {
            self.nopass = false;
            self.passwords.clear();
        } else if op[0] == b'>' || op[0] == b'#' {
            let hash = if op[0] == b'>' {
                hash_password(&op[1..])
            } else if valid_hash(&op[1..]) {
                String::from_utf8_lossy(&op[1..]).into_owned()
            } else {
                return Err(RuleError::BadHash);
            };
            if !self.passwords.contains(&hash) {
                self.passwords.push(hash);
            }
            self.nopass = false;
        } else if op[0] == b'<' || op[0] == b'!' {
            let hash = if op[0] == b'<' {
                hash_password(&op[1..])
            } else if valid_hash(&op[1..]) {
                String::from_utf8_lossy(&op[1..]).into_owned()
            } else {
                return Err(RuleError::BadHash);
            };
            let at = self.passwords.iter().position(|p| *p == hash);
            self.passwords.remove(at.ok_or(RuleError::NoSuchPassword)?);
        } else if op[0] == b'(' && op.ends_with(b")") && op.len() >= 2 {
            // Split as Redis's `sdssplitargs` splits (quotes allowed); rules it cannot split
            // leave the selector empty, as in Redis.
            let mut selector = Selector::fresh(all_channels);
            let rules = crate::cli::split_args(&op[1..op.len() - 1]).unwrap_or_default();
            for rule in &rules {
                selector.apply(rule)?;
            }
            self.selectors.push(selector);
        } else if is("clearselectors") {
            self.selectors.truncate(1);
        } else if is("reset") {
            for rule in [
                "resetpass",
                "resetkeys",
                "resetchannels",
                "off",
                "sanitize-payload",
                "clearselectors",
                "-@all",
            ] {
                self.apply(rule.as_bytes())?;
            }
            if all_channels {
                self.apply(b"allchannels")?;
            }
        } else {
            self.root().apply(op)?;
            self.unrestricted = self.selectors[0].is_unrestricted();
        }
        Ok(())
    }

    /// The flags, in Redis's order.
    pub fn flags(&self) -> Vec<&'static str> {
        let mut flags = vec![if self.enabled { "on" } else { "off" }];
        if self.nopass {
            flags.push("nopass");
        }
        match self.sanitize_payload {
            Some(false) => flags.push("skip-sanitize-payload"),
            Some(true) => flags.push("sanitize-payload"),
            None => {}
        }
        flags
    }

    /// The password hashes.
    pub fn passwords(&self) -> &[String] {
        &self.passwords
    }

    /// The user as an ACL LIST line: `user <name> <flags> <#hashes> <root> (<selector>)...`.
    pub fn describe(&self) -> String {
        let mut parts = vec![format!("user {}", String::from_utf8_lossy(&self.name))];
        parts.extend(self.flags().iter().map(|f| f.to_string()));
        parts.extend(self.passwords.iter().map(|p| format!("#{p}")));
        parts.push(self.selectors[0].describe());
        parts.extend(
            self.selectors[1..]
                .iter()
                .map(|s| format!("({})", s.describe())),
        );
        parts.join(" ")
    }

    /// ACL GETUSER's commands, keys and channels of each selector, the root first.
    pub fn selector_descriptions(&self) -> Vec<[String; 3]> {
        self.selectors
            .iter()
            .map(|s| {
                [
                    s.describe_commands(),
                    s.describe_keys(),
                    s.describe_channels(),
                ]
            })
            .collect()
    }

    /// Does `password` open this user (enabled, and `nopass` or one of its hashes)?
    pub fn accepts(&self, password: &[u8]) -> bool {
        self.enabled && (self.nopass || self.passwords.contains(&hash_password(password)))
    }

    /// May this user run `argv`, resolved to `spec`? Any selector allowing it is enough;
    /// otherwise the most specific refusal, the latest argument on a tie
    /// (`ACLCheckAllUserCommandPerm`).
    pub fn check(&self, spec: &CommandSpec, argv: &[Vec<u8>]) -> Result<(), Denied> {
        if self.unrestricted {
            return Ok(());
        }
        let Some(id) = command_id(spec) else {
            return Ok(());
        };
        let mut worst = Denied::Command;
        for selector in &self.selectors {
            match selector.check(id, argv) {
                Ok(()) => return Ok(()),
                Err(denied) => worst = worst.max(denied),
            }
        }
        Err(worst)
    }
}

/// Reads and writes the ACL file (`aclfile`): the native server's disk. The engine itself has
/// no files, and the page no ACL file at all.
pub trait AclFileAccess: Send {
    /// The whole file, or why it cannot be opened (the system's `strerror` text).
    fn read(&mut self, path: &str) -> Result<Vec<u8>, String>;
    /// Replaces the file whole or not at all; the error goes to the server's log.
    fn write(&mut self, path: &str, contents: &[u8]) -> Result<(), String>;
}

/// The users an ACL file describes, read as Redis 7.0's `ACLLoadFromFile` reads it: one
/// `user <name> <rule>...` per line (blank lines skipped, each line trimmed of spaces, tabs
/// and line ends, then split at every single space, quotes meaning nothing), a `(...)`
/// selector's words joined again, every rule applied to a fresh user. Any error refuses the
/// whole file: the text lists each one (`<path>:<line>: ...`, every unknown command or
/// category, otherwise only a line's first error) and ends with Redis's warning that nothing
/// changed. A file without a `default` user gets a fresh one (`on nopass ~* &* +@all`).
///
/// Redis 7.0.15 crashes on a line whose unmatched `(` follows a complete selector or
/// other words (`user a (x) (y`); this answers the unmatched-parenthesis error it gives
/// elsewhere.
pub fn load_users(
    path: &str,
    text: &[u8],
    all_channels: bool,
) -> Result<BTreeMap<Vec<u8>, User>, String> {
    let mut users = BTreeMap::new();
    let mut errors = String::new();
    let lossy = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    for (index, line) in text.split(|&b| b == b'\n').enumerate() {
        let number = index + 1;
        let line = trim(line, b" \t\r\n");
        if line.is_empty() {
            continue;
        }
        let words: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
        if words[0] != b"user" || words.len() < 2 {
            errors += &format!(
                "{path}:{number} should start with user keyword followed by the username. "
            );
            continue;
        }
        let name = words[1];
        if name
            .iter()
            .any(|&b| b.is_ascii_whitespace() || b == 0x0b || b == 0)
        {
            errors += &format!(
                "'{path}:{number}: username '{}' contains invalid characters. ",
                lossy(name)
            );
            continue;
        }
        if users.contains_key(name) {
            errors += &format!(
                "WARNING: Duplicate user '{}' found on line {number}. ",
                lossy(name)
            );
            continue;
        }
        let user = users
            .entry(name.to_vec())
            .or_insert_with(|| User::new(name, all_channels));
        let Some(rules) = merge_selectors(&words[2..]) else {
            errors += &format!("{path}:{number}: Unmatched parenthesis in selector definition.");
            continue;
        };
        let mut reported = false;
        for rule in rules {
            let rule = trim(&rule, b"\t\r\n");
            match user.apply_as(rule, all_channels) {
                Ok(()) => {}
                Err(RuleError::UnknownName) => {
                    errors += &format!(
                        "{path}:{number}: Error in applying operation '{}': {}. ",
                        lossy(rule),
                        RuleError::UnknownName
                    );
                }
                Err(error) if !reported => {
                    errors += &format!("{path}:{number}: {error}. ");
                    reported = true;
                }
                Err(_) => {}
            }
        }
    }
    if !errors.is_empty() {
        errors += "WARNING: ACL errors detected, no change to the previously active ACL rules was performed";
        return Err(errors);
    }
    users
        .entry(b"default".to_vec())
        .or_insert_with(User::default_user);
    Ok(users)
}

/// `bytes` without the leading and trailing bytes in `set` (`sdstrim`).
fn trim<'a>(bytes: &'a [u8], set: &[u8]) -> &'a [u8] {
    let start = bytes
        .iter()
        .position(|b| !set.contains(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !set.contains(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// The rules of an ACL file line with each `(...)` selector split at spaces joined back into
/// one rule (`ACLMergeSelectorArguments`): a word opening a parenthesis it does not close
/// starts (or restarts) a selector, which the first word ending in `)` closes. `None` when
/// one is left open.
fn merge_selectors(words: &[&[u8]]) -> Option<Vec<Vec<u8>>> {
    let mut rules = Vec::new();
    let mut open: Option<Vec<u8>> = None;
    for &word in words {
        if word.first() == Some(&b'(') && word.last() != Some(&b')') {
            open = Some(word.to_vec());
        } else if let Some(mut selector) = open.take() {
            selector.push(b' ');
            selector.extend_from_slice(word);
            if word.last() == Some(&b')') {
                rules.push(selector);
            } else {
                open = Some(selector);
            }
        } else {
            rules.push(word.to_vec());
        }
    }
    open.is_none().then_some(rules)
}

/// Why an ACL LOG entry was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogReason {
    Command,
    Key,
    Channel,
    Auth,
}

impl LogReason {
    pub fn name(self) -> &'static str {
        match self {
            LogReason::Command => "command",
            LogReason::Key => "key",
            LogReason::Channel => "channel",
            LogReason::Auth => "auth",
        }
    }
}

/// One ACL LOG entry.
#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    pub count: u64,
    pub reason: LogReason,
    /// `toplevel` or `multi`.
    pub context: &'static str,
    /// The command, key or channel refused, or the command that failed to authenticate.
    pub object: String,
    pub username: String,
    /// When it last happened (Unix ms).
    pub created_ms: u64,
    /// CLIENT INFO of the client, when it last happened.
    pub client_info: String,
}

/// Entries closer than this in time, and otherwise alike, are one entry
/// (`ACL_LOG_GROUPING_MAX_TIME_DELTA`).
const LOG_GROUPING_MS: u64 = 60_000;

/// Every user, by name, and the ACL LOG.
#[derive(Clone, Debug)]
pub struct Acl {
    pub users: BTreeMap<Vec<u8>, User>,
    /// Newest first.
    pub log: VecDeque<LogEntry>,
}

impl Default for Acl {
    fn default() -> Acl {
        let default = User::default_user();
        Acl {
            users: BTreeMap::from([(default.name.clone(), default)]),
            log: VecDeque::new(),
        }
    }
}

impl Acl {
    /// The ACL file ACL SAVE writes: every user's ACL LIST line, by name, each ending in a
    /// newline (`ACLSaveToFile`).
    pub fn file_text(&self) -> String {
        self.users
            .values()
            .map(|user| user.describe() + "\n")
            .collect()
    }

    /// The `default` user.
    pub fn default_user(&self) -> &User {
        &self.users[&b"default"[..]]
    }

    /// Whether a connection that has not authenticated must (Redis's `authRequired`).
    pub fn auth_required(&self) -> bool {
        let default = self.default_user();
        !default.nopass || !default.enabled
    }

    /// `requirepass`: the default user gets exactly this password, or `nopass` when empty.
    pub fn set_requirepass(&mut self, password: &[u8]) {
        let Some(default) = self.users.get_mut(&b"default"[..]) else {
            return;
        };
        default.apply(b"resetpass").ok();
        if password.is_empty() {
            default.apply(b"nopass").ok();
        } else {
            let mut rule = b">".to_vec();
            rule.extend_from_slice(password);
            default.apply(&rule).ok();
        }
    }

    /// Records a refusal, merging it into a like entry less than a minute old, and keeps at
    /// most `max_len` entries.
    pub fn log(&mut self, entry: LogEntry, max_len: usize) {
        let like = self.log.iter().position(|e| {
            e.reason == entry.reason
                && e.context == entry.context
                && e.object == entry.object
                && e.username == entry.username
                && entry.created_ms.saturating_sub(e.created_ms) < LOG_GROUPING_MS
        });
        let entry = match like.and_then(|i| self.log.remove(i)) {
            Some(old) => LogEntry {
                count: old.count + 1,
                ..entry
            },
            None => entry,
        };
        self.log.push_front(entry);
        self.log.truncate(max_len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(rules: &[&str]) -> User {
        let mut user = User::new(b"u", false);
        for rule in rules {
            user.apply(rule.as_bytes()).unwrap();
        }
        user
    }

    fn argv(line: &str) -> Vec<Vec<u8>> {
        line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
    }

    fn check(user: &User, line: &str) -> Result<(), Denied> {
        let argv = argv(line);
        let (spec, _) = spec::resolve(&argv).unwrap();
        user.check(spec, &argv)
    }

    #[test]
    fn the_default_user_is_described_as_redis_does() {
        assert_eq!(
            User::default_user().describe(),
            "user default on nopass ~* &* +@all"
        );
        assert_eq!(
            User::new(b"bob", false).describe(),
            "user bob off resetchannels -@all"
        );
    }

    #[test]
    fn passwords_are_sha256_hex() {
        // echo -n pw1 | sha256sum
        assert_eq!(
            hash_password(b"pw1"),
            "c592df4a86933b92addc9842402ddf198c638ea9be58916ee6e3734e1e3152f8"
        );
        let u = user(&["on", ">pw1", ">pw1"]);
        assert_eq!(u.passwords().len(), 1);
        assert!(u.accepts(b"pw1") && !u.accepts(b"pw2"));
        assert!(!user(&[">pw1"]).accepts(b"pw1"), "an off user never opens");
    }

    #[test]
    fn categories_and_single_commands_are_described_greedily() {
        let u = user(&["+get", "+@hash", "-hset"]);
        assert_eq!(
            u.selectors[0].describe_commands(),
            "-@all +@hash +get -hset"
        );
        let u = user(&["+@all", "-get"]);
        assert_eq!(u.selectors[0].describe_commands(), "+@all -get");
        let u = user(&["-@all", "+select|0"]);
        assert_eq!(u.selectors[0].describe_commands(), "-@all +select|0");
    }

    #[test]
    fn commands_keys_and_channels_are_checked() {
        let u = user(&[
            "+get",
            "+set",
            "+publish",
            "+psubscribe",
            "~cache:*",
            "%R~ro:*",
            "&news.*",
        ]);
        assert_eq!(check(&u, "get cache:1"), Ok(()));
        assert_eq!(check(&u, "get other"), Err(Denied::Key(1)));
        assert_eq!(check(&u, "get ro:1"), Ok(()));
        assert_eq!(check(&u, "set ro:1 v"), Err(Denied::Key(1)));
        assert_eq!(check(&u, "del cache:1"), Err(Denied::Command));
        assert_eq!(check(&u, "publish news.today x"), Ok(()));
        assert_eq!(check(&u, "publish sport x"), Err(Denied::Channel(1)));
        assert_eq!(check(&u, "psubscribe news.*"), Ok(()));
        assert_eq!(check(&u, "psubscribe news.t*"), Err(Denied::Channel(1)));
        assert_eq!(
            check(&u, "auth x"),
            Ok(()),
            "no_auth commands are always allowed"
        );
    }

    #[test]
    fn a_selector_can_allow_what_the_root_refuses() {
        let u = user(&["+get", "~a", "(+set ~b)"]);
        assert_eq!(check(&u, "set b v"), Ok(()));
        assert_eq!(check(&u, "get b"), Err(Denied::Key(1)));
        assert_eq!(
            u.describe(),
            "user u off ~a resetchannels -@all +get (~b resetchannels -@all +set)"
        );
    }

    #[test]
    fn rules_are_refused_with_redis_reasons() {
        let mut u = User::new(b"u", false);
        assert_eq!(u.apply(b"+nosuch"), Err(RuleError::UnknownName));
        assert_eq!(u.apply(b"-@nosuch"), Err(RuleError::UnknownName));
        assert_eq!(u.apply(b"foo"), Err(RuleError::Syntax));
        assert_eq!(u.apply(b"%~a"), Err(RuleError::Syntax));
        assert_eq!(
            u.apply(b"+client|id|x"),
            Err(RuleError::FirstArgOfSubcommand)
        );
        assert_eq!(u.apply(b"+get|"), Err(RuleError::Syntax));
        assert_eq!(u.apply(b"<nope"), Err(RuleError::NoSuchPassword));
        assert_eq!(u.apply(b"#abc"), Err(RuleError::BadHash));
        u.apply(b"allkeys").unwrap();
        assert_eq!(u.apply(b"~a"), Err(RuleError::KeyAfterAllKeys));
    }

    #[test]
    fn like_log_entries_within_a_minute_are_counted_together() {
        let mut acl = Acl::default();
        let entry = |ms| LogEntry {
            count: 1,
            reason: LogReason::Command,
            context: "toplevel",
            object: "get".into(),
            username: "u".into(),
            created_ms: ms,
            client_info: String::new(),
        };
        acl.log(entry(0), 128);
        acl.log(entry(59_999), 128);
        assert_eq!(acl.log.len(), 1);
        assert_eq!(acl.log[0].count, 2);
        acl.log(entry(200_000), 128);
        assert_eq!(acl.log.len(), 2);
        acl.log(entry(300_000), 1);
        assert_eq!(acl.log.len(), 1);
    }

    #[test]
    fn an_acl_file_is_read_line_by_line_with_selectors_joined() {
        let text = b"user alice on >pw ( +get ~k* ) (&c +publish)\r\n\n  \nuser bob off\n";
        let users = load_users("users.acl", text, false).unwrap();
        let names: Vec<&[u8]> = users.keys().map(Vec::as_slice).collect();
        assert_eq!(
            names,
            [&b"alice"[..], b"bob", b"default"],
            "a fresh default"
        );
        assert_eq!(
            users[&b"alice"[..]].describe(),
            format!(
                "user alice on #{} resetchannels -@all (~k* resetchannels -@all +get) \
                 (resetchannels &c -@all +publish)",
                hash_password(b"pw")
            )
        );
        assert_eq!(users[&b"default"[..]], User::default_user());
    }

    #[test]
    fn an_acl_file_with_errors_lists_them_all_and_loads_nothing() {
        let text = b"foo\nuser a +nosuch x y\nuser a\nuser b (+get\n";
        assert_eq!(
            load_users("f", text, false),
            Err(
                "f:1 should start with user keyword followed by the username. \
                 f:2: Error in applying operation '+nosuch': Unknown command or category name in \
                 ACL. f:2: Syntax error. WARNING: Duplicate user 'a' found on line 3. f:4: \
                 Unmatched parenthesis in selector definition.WARNING: ACL errors detected, no \
                 change to the previously active ACL rules was performed"
                    .to_string()
            )
        );
    }

    #[test]
    fn acl_save_writes_the_acl_list_lines() {
        let mut acl = Acl::default();
        acl.users
            .insert(b"u".to_vec(), user(&["on", "nopass", "+ping"]));
        assert_eq!(
            acl.file_text(),
            "user default on nopass ~* &* +@all\nuser u on nopass resetchannels -@all +ping\n"
        );
    }
}
