//! AUTH and ACL: who a connection runs as, and the users it may become (`crate::acl` keeps
//! the users and explains the rules). The permission check itself runs before every command,
//! in the engine's one process path ([`Engine::check_permissions`]).

use crate::acl::{self, AclFileAccess, Denied, LogEntry, LogReason, User};
use crate::args::string2ll;
use crate::engine::{Call, ClientId, Engine};
use crate::error::Error;
use crate::reply::Reply;
use crate::spec::{self, flag, CommandResult, CommandSpec};

/// ACL's subcommands that change or reveal users: Redis flags them `admin` (so @admin and
/// @dangerous) and keeps them from scripts.
const ADMIN: u32 = flag::ADMIN | flag::NOSCRIPT | flag::LOADING | flag::STALE;
const OPEN: u32 = flag::NOSCRIPT | flag::LOADING | flag::STALE;

const fn sub(
    name: &'static str,
    arity: i32,
    flags: u32,
    summary: &'static str,
    syntax: &'static str,
    handler: crate::spec::Handler,
) -> CommandSpec {
    CommandSpec {
        name,
        arity,
        flags,
        group: "server",
        since: "6.0.0",
        summary,
        syntax,
        complexity: "O(N). Where N is the number of users or rules.",
        keys: &[],
        tips: &[],
        handler: Some(handler),
        subcommands: &[],
    }
}

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "auth",
        arity: -2,
        flags: flag::NOSCRIPT
            | flag::LOADING
            | flag::STALE
            | flag::FAST
            | flag::NO_AUTH
            | flag::ALLOW_BUSY,
        group: "connection",
        since: "1.0.0",
        summary: "Authenticates the connection.",
        syntax: "[username] password",
        complexity: "O(N) where N is the number of passwords defined for the user",
        keys: &[],
        tips: &[],
        handler: Some(auth),
        subcommands: &[],
    },
    CommandSpec {
        name: "acl",
        arity: -2,
        flags: 0,
        group: "server",
        since: "6.0.0",
        summary: "A container for Access List Control commands.",
        syntax: "subcommand [argument ...]",
        complexity: "Depends on subcommand.",
        keys: &[],
        tips: &[],
        handler: None,
        subcommands: &[
            sub(
                "cat",
                -2,
                OPEN,
                "Lists the ACL categories, or the commands inside a category.",
                "[categoryname]",
                cat,
            ),
            sub(
                "deluser",
                -3,
                ADMIN,
                "Deletes ACL users, and terminates their connections.",
                "username [username ...]",
                deluser,
            ),
            CommandSpec {
                since: "7.0.0",
                ..sub(
                    "dryrun",
                    -4,
                    ADMIN,
                    "Simulates the execution of a command by a user, without executing the command.",
                    "username command [arg [arg ...]]",
                    dryrun,
                )
            },
            sub(
                "genpass",
                -2,
                OPEN,
                "Generates a pseudorandom, secure password that can be used to identify ACL users.",
                "[bits]",
                genpass,
            ),
            sub(
                "getuser",
                3,
                ADMIN,
                "Lists the ACL rules of a user.",
                "username",
                getuser,
            ),
            sub(
                "help",
                2,
                flag::LOADING | flag::STALE,
                "Returns helpful text about the different subcommands.",
                "",
                help,
            ),
            sub(
                "list",
                2,
                ADMIN,
                "Dumps the effective rules in ACL file format.",
                "",
                list,
            ),
            sub(
                "load",
                2,
                ADMIN,
                "Reloads the rules from the configured ACL file.",
                "",
                load,
            ),
            sub(
                "log",
                -2,
                ADMIN,
                "Lists recent security events generated due to commands rejected by ACL rules.",
                "[count | RESET]",
                log,
            ),
            sub(
                "save",
                2,
                ADMIN,
                "Saves the effective ACL rules in the configured ACL file.",
                "",
                save,
            ),
            sub(
                "setuser",
                -3,
                ADMIN,
                "Creates and modifies an ACL user and its rules.",
                "username [rule [rule ...]]",
                setuser,
            ),
            sub("users", 2, ADMIN, "Lists all ACL users.", "", users),
            sub(
                "whoami",
                2,
                OPEN,
                "Returns the authenticated username of the current connection.",
                "",
                whoami,
            ),
        ],
    },
];

/// ACL HELP's lines, as Redis 7.0 words them.
const HELP: &[&str] = &[
    "CAT [<category>]",
    "    List all commands that belong to <category>, or all command categories",
    "    when no category is specified.",
    "DELUSER <username> [<username> ...]",
    "    Delete a list of users.",
    "DRYRUN <username> <command> [<arg> ...]",
    "    Returns whether the user can execute the given command without executing the command.",
    "GETUSER <username>",
    "    Get the user's details.",
    "GENPASS [<bits>]",
    "    Generate a secure 256-bit user password. The optional `bits` argument can",
    "    be used to specify a different size.",
    "LIST",
    "    Show users details in config file format.",
    "LOAD",
    "    Reload users from the ACL file.",
    "LOG [<count> | RESET]",
    "    Show the ACL log entries.",
    "SAVE",
    "    Save the current config to the ACL file.",
    "SETUSER <username> <attribute> [<attribute> ...]",
    "    Create or modify a user with the specified attributes.",
    "USERS",
    "    List all the registered usernames.",
    "WHOAMI",
    "    Return the current connection username.",
];

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// An argument as Redis's `%s` prints it in an error: up to its first NUL.
fn c_text(bytes: &[u8]) -> String {
    spec::truncated(bytes, usize::MAX)
}

impl Engine {
    /// The checks Redis's `processCommand` makes for authentication and ACL, before a command
    /// runs or is queued: a connection that has not authenticated may only run `no_auth`
    /// commands, and its user must be allowed the command, its keys and its channels. A
    /// refusal is written to the ACL LOG.
    pub(crate) fn check_permissions(
        &mut self,
        client: ClientId,
        spec: &CommandSpec,
        argv: &[Vec<u8>],
        name: &str,
    ) -> Result<(), Error> {
        // The master client runs as no user (Redis's NULL user): nothing is refused to it.
        let Some(c) = self.clients.get(&client).filter(|c| !c.master) else {
            return Ok(());
        };
        if !c.authenticated && self.acl.auth_required() && !spec.has(flag::NO_AUTH) {
            return Err(Error::NoAuth);
        }
        let context = if c.multi.is_some() {
            "multi"
        } else {
            "toplevel"
        };
        let Some(user) = self.acl.users.get(&c.user) else {
            return Ok(());
        };
        let denied = match user.check(spec, argv) {
            Ok(()) => return Ok(()),
            Err(denied) => denied,
        };
        self.log_denied(client, denied, context, name, argv, None);
        Err(match denied {
            Denied::Command => Error::NoPermCommand(name.to_string()),
            Denied::Key(_) => Error::NoPermKey,
            Denied::Channel(_) => Error::NoPermChannel,
        })
    }

    /// EXEC checks each queued command again, as the user's permissions may have changed
    /// since it was queued.
    pub(crate) fn check_permissions_in_exec(
        &mut self,
        client: ClientId,
        spec: &CommandSpec,
        argv: &[Vec<u8>],
        name: &str,
    ) -> Result<(), Error> {
        let Some(user) = self
            .client(client)
            .filter(|c| !c.master)
            .and_then(|c| self.acl.users.get(&c.user))
        else {
            return Ok(());
        };
        let Err(denied) = user.check(spec, argv) else {
            return Ok(());
        };
        self.log_denied(client, denied, "multi", name, argv, None);
        Err(Error::NoPermInExec(match denied {
            Denied::Command => "no permission to execute the command or subcommand",
            Denied::Key(_) => "no permission to touch the specified keys",
            Denied::Channel(_) => "no permission to access one of the channels used as arguments",
        }))
    }

    /// A script's command checked against the caller's user (`scriptVerifyACL`): logged in
    /// the ACL LOG with the `lua` context, refused in Redis's words.
    pub(crate) fn check_permissions_in_script(
        &mut self,
        spec: &CommandSpec,
        argv: &[Vec<u8>],
        name: &str,
    ) -> Result<(), String> {
        let client = crate::script::SCRIPT_CLIENT;
        let Some(user) = self
            .client(client)
            .and_then(|c| self.acl.users.get(&c.user))
        else {
            return Ok(());
        };
        let Err(denied) = user.check(spec, argv) else {
            return Ok(());
        };
        self.log_denied(client, denied, "lua", name, argv, None);
        Err(format!(
            "The user executing the script {}",
            match denied {
                Denied::Command => "can't run this command or subcommand",
                Denied::Key(_) =>
                    "can't access at least one of the keys mentioned in the command arguments",
                Denied::Channel(_) => "can't publish to the channel mentioned in the command",
            }
        ))
    }

    /// Writes an ACL LOG entry for a refusal; `auth_user` is the user name a failed AUTH tried.
    fn log_denied(
        &mut self,
        client: ClientId,
        denied: Denied,
        context: &'static str,
        name: &str,
        argv: &[Vec<u8>],
        auth_user: Option<&[u8]>,
    ) {
        // A script's refusal describes the client that ran the script, as it stands in its
        // EVAL or FCALL (Redis's `server.script_caller`).
        let (client, current) = match &self.scripting.run {
            Some(run) if client == crate::script::SCRIPT_CLIENT => {
                (run.caller, run.caller_argv.as_slice())
            }
            _ => (client, argv),
        };
        let Some(c) = self.client(client) else {
            return;
        };
        let (reason, object) = match (auth_user, denied) {
            (Some(_), _) => (LogReason::Auth, text(&argv[0])),
            (None, Denied::Command) => (LogReason::Command, name.to_string()),
            (None, Denied::Key(at)) => (LogReason::Key, text(&argv[at])),
            (None, Denied::Channel(at)) => (LogReason::Channel, text(&argv[at])),
        };
        let entry = LogEntry {
            count: 1,
            reason,
            context,
            object,
            username: text(auth_user.unwrap_or(&c.user)),
            created_ms: self.now_ms,
            client_info: crate::cmd::client::client_line(self, c, Some(current))
                .trim_end()
                .to_string(),
        };
        let max_len = self.config.int("acllog-max-len").max(0) as usize;
        self.acl.log(entry, max_len);
    }

    /// Authenticates `client` as `user` (`ACLAuthenticateUser`): the user exists, is on, and
    /// takes the password. A failure is logged and answered WRONGPASS.
    pub(crate) fn authenticate(
        &mut self,
        client: ClientId,
        user: &[u8],
        password: &[u8],
        argv: &[Vec<u8>],
    ) -> Result<(), Error> {
        let accepted = self
            .acl
            .users
            .get(user)
            .is_some_and(|u| u.accepts(password));
        if !accepted {
            let context = match self.client(client).is_some_and(|c| c.multi.is_some()) {
                true => "multi",
                false => "toplevel",
            };
            self.log_denied(client, Denied::Command, context, "", argv, Some(user));
            return Err(Error::WrongPass);
        }
        if let Some(c) = self.clients.get_mut(&client) {
            c.user = user.to_vec();
            c.authenticated = true;
        }
        Ok(())
    }

    /// The clients of a deleted user go back to `default`, unauthenticated, and are closed:
    /// at once, or after this reply for the caller (`ACLFreeUserAndKillClients`).
    fn kill_clients_of(&mut self, user: &[u8]) {
        let victims: Vec<ClientId> = self
            .clients()
            .filter(|c| c.user == user)
            .map(|c| c.id)
            .collect();
        for id in victims {
            self.unblock(id);
            if let Some(c) = self.clients.get_mut(&id) {
                c.user = b"default".to_vec();
                c.authenticated = false;
                c.closing = true;
            }
            self.woken.push(id);
        }
    }
}

/// ```text
/// AUTH [username] password
/// ```
/// `AUTH password` authenticates as `default`, and is an error while `default` needs no
/// password, as in Redis before ACLs.
fn auth(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let (user, password) = match call.argv {
        [_, password] => {
            if engine.acl.default_user().nopass {
                return Err(Error::AuthWithoutPassword);
            }
            (&b"default"[..], password)
        }
        [_, user, password] => (user.as_slice(), password),
        _ => return Err(Error::Syntax),
    };
    engine.authenticate(call.client, user, password, call.argv)?;
    Ok(Reply::ok().into())
}

/// ```text
/// ACL CAT [category]
/// ```
/// The categories, or every command (and subcommand) in one.
fn cat(_: &mut Engine, call: &Call<'_>) -> CommandResult {
    match &call.argv[2..] {
        [] => Ok(Reply::bulk_array(acl::CATEGORIES.iter().map(|c| c.as_bytes())).into()),
        [category] => {
            let bit = acl::category_bit(category)
                .ok_or_else(|| Error::AclUnknownCategory(spec::truncated(category, 128)))?;
            let names = acl::commands()
                .iter()
                .filter(|c| c.categories & bit != 0)
                .map(|c| c.full_name.as_bytes());
            Ok(Reply::bulk_array(names).into())
        }
        _ => Err(subcommand_syntax(call)),
    }
}

fn subcommand_syntax(call: &Call<'_>) -> Error {
    Error::SubcommandSyntax {
        subcommand: text(&call.argv[1]),
        command: "ACL".into(),
    }
}

/// ```text
/// ACL SETUSER username [rule [rule ...]]
/// ```
/// Creates the user if needed (off, no permissions) and applies the rules in order, all or
/// none: the first refused rule is the answer and the user stays as it was. Arguments from
/// one starting `(` to one ending `)` make one selector.
fn setuser(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let name = &call.argv[2];
    if name.contains(&b' ') || name.contains(&0) {
        return Err(Error::AclUsernameSpaces);
    }
    let mut rules: Vec<Vec<u8>> = Vec::new();
    let mut open: Option<(usize, Vec<u8>)> = None;
    for (at, arg) in call.argv.iter().enumerate().skip(3) {
        if let Some((_, selector)) = open.as_mut() {
            selector.push(b' ');
            selector.extend_from_slice(arg);
            if arg.last() == Some(&b')') {
                rules.extend(open.take().map(|(_, s)| s));
            }
        } else if arg.first() == Some(&b'(') && arg.last() != Some(&b')') {
            open = Some((at, arg.clone()));
        } else {
            rules.push(arg.clone());
        }
    }
    if let Some((at, _)) = open {
        return Err(Error::AclUnmatchedParenthesis(c_text(&call.argv[at])));
    }
    let all_channels = engine.config.text("acl-pubsub-default") == "allchannels";
    let mut user = engine
        .acl
        .users
        .get(name.as_slice())
        .cloned()
        .unwrap_or_else(|| User::new(name, all_channels));
    for rule in &rules {
        user.apply_as(rule, all_channels)
            .map_err(|reason| Error::AclRule {
                rule: c_text(rule),
                reason,
            })?;
    }
    engine.acl.users.insert(name.clone(), user);
    Ok(Reply::ok().into())
}

/// ```text
/// ACL GETUSER username
/// ```
/// The user's flags, password hashes, root selector (commands, keys, channels) and other
/// selectors; nil for an unknown user.
fn getuser(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let Some(user) = engine.acl.users.get(&call.argv[2]) else {
        return Ok(Reply::Null.into());
    };
    let field = |name: &str, value: Reply| (Reply::bulk(name), value);
    let selector = |[commands, keys, channels]: [String; 3]| {
        vec![
            field("commands", Reply::bulk(commands)),
            field("keys", Reply::bulk(keys)),
            field("channels", Reply::bulk(channels)),
        ]
    };
    let mut selectors = user.selector_descriptions().into_iter();
    let root = selectors.next().map(selector).unwrap_or_default();
    let mut fields = vec![
        field(
            "flags",
            Reply::Set(user.flags().into_iter().map(Reply::bulk).collect()),
        ),
        field(
            "passwords",
            Reply::bulk_array(user.passwords().iter().map(|p| p.as_bytes())),
        ),
    ];
    fields.extend(root);
    fields.push(field(
        "selectors",
        Reply::Array(selectors.map(|s| Reply::Map(selector(s))).collect()),
    ));
    Ok(Reply::Map(fields).into())
}

/// ```text
/// ACL DELUSER username [username ...]
/// ```
/// How many of them existed; their connections are closed. `default` cannot be deleted.
fn deluser(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let names = &call.argv[2..];
    if names.iter().any(|n| n.as_slice() == b"default") {
        return Err(Error::AclDeleteDefault);
    }
    let mut deleted = 0;
    for name in names {
        if engine.acl.users.remove(name.as_slice()).is_some() {
            deleted += 1;
            engine.kill_clients_of(name);
        }
    }
    Ok(Reply::Integer(deleted).into())
}

/// ```text
/// ACL LIST
/// ```
/// Every user as a line of an ACL file, by name.
fn list(engine: &mut Engine, _: &Call<'_>) -> CommandResult {
    let lines: Vec<String> = engine.acl.users.values().map(User::describe).collect();
    Ok(Reply::bulk_array(lines.iter().map(|l| l.as_bytes())).into())
}

/// ```text
/// ACL USERS
/// ```
fn users(engine: &mut Engine, _: &Call<'_>) -> CommandResult {
    Ok(Reply::bulk_array(engine.acl.users.keys().map(Vec::as_slice)).into())
}

/// ```text
/// ACL WHOAMI
/// ```
fn whoami(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let user = engine
        .client(call.client)
        .map(|c| c.user.clone())
        .unwrap_or_default();
    Ok(Reply::bulk(user).into())
}

/// ```text
/// ACL GENPASS [bits]
/// ```
/// `bits` (256 by default) random bits as hex, rounded up to whole hex digits. The bits come
/// from the engine's seeded generator: unpredictable enough for a playground, and replayable.
fn genpass(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    // Too many arguments is refused before the bit count is read, as acl.c checks argc first.
    if call.argv.len() > 3 {
        return Err(subcommand_syntax(call));
    }
    let bits = match call.argv.get(2) {
        None => 256,
        Some(arg) => string2ll(arg).ok_or(Error::NotInteger)?,
    };
    if !(1..=4096).contains(&bits) {
        return Err(Error::AclGenpassBits);
    }
    let digits = (bits as usize).div_ceil(4);
    let mut password = String::with_capacity(digits + 16);
    while password.len() < digits {
        password.push_str(&format!("{:016x}", engine.rng.next_u64()));
    }
    password.truncate(digits);
    Ok(Reply::bulk(password).into())
}

/// ```text
/// ACL LOG [count | RESET]
/// ```
/// The newest `count` (10 by default) refusals, each with its count, reason, context, object,
/// user, age and the client's CLIENT INFO; RESET empties the log.
fn log(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let count = match &call.argv[2..] {
        [] => 10,
        [arg] if arg.eq_ignore_ascii_case(b"reset") => {
            engine.acl.log.clear();
            return Ok(Reply::ok().into());
        }
        [arg] => string2ll(arg).ok_or(Error::NotInteger)?,
        _ => return Err(subcommand_syntax(call)),
    };
    // A negative count lists nothing, as in Redis.
    let count = count.max(0);
    let now = engine.now_ms;
    let entries = engine.acl.log.iter().take(count as usize).map(|e| {
        let field = |name: &str, value: Reply| (Reply::bulk(name), value);
        Reply::Map(vec![
            field("count", Reply::Integer(e.count as i64)),
            field("reason", Reply::bulk(e.reason.name())),
            field("context", Reply::bulk(e.context)),
            field("object", Reply::bulk(e.object.as_str())),
            field("username", Reply::bulk(e.username.as_str())),
            field(
                "age-seconds",
                Reply::Double(now.saturating_sub(e.created_ms) as f64 / 1000.0),
            ),
            field("client-info", Reply::bulk(e.client_info.as_str())),
        ])
    });
    Ok(Reply::Array(entries.collect()).into())
}

/// ```text
/// ACL DRYRUN username command [arg ...]
/// ```
/// `OK` when the user may run the command, else why not, as a bulk string; nothing runs.
fn dryrun(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let name = &call.argv[2];
    let Some(user) = engine.acl.users.get(name.as_slice()) else {
        return Err(Error::AclDryrunNoUser(c_text(name)));
    };
    let argv = &call.argv[3..];
    let (spec, full_name) =
        spec::resolve(argv).map_err(|_| Error::AclDryrunNoCommand(c_text(&argv[0])))?;
    if !spec.arity_ok(argv.len()) {
        return Err(Error::WrongArity(full_name));
    }
    let why = match user.check(spec, argv) {
        Ok(()) => return Ok(Reply::ok().into()),
        Err(Denied::Command) => format!("run the '{full_name}' command"),
        Err(Denied::Key(at)) => format!("access the '{}' key", text(&argv[at])),
        Err(Denied::Channel(at)) => format!("access the '{}' channel", text(&argv[at])),
    };
    Ok(Reply::bulk(format!("This user has no permissions to {why}")).into())
}

/// ```text
/// ACL LOAD
/// ```
/// Replaces every user with the ACL file's, or changes nothing and lists the file's errors.
fn load(engine: &mut Engine, _: &Call<'_>) -> CommandResult {
    let mut access = acl_file(engine)?;
    let result = load_acl_file(engine, access.as_mut());
    engine.acl_file = Some(access);
    result.map_err(Error::AclLoad)?;
    Ok(Reply::ok().into())
}

/// ```text
/// ACL SAVE
/// ```
/// Writes every user's ACL LIST line to the ACL file.
fn save(engine: &mut Engine, _: &Call<'_>) -> CommandResult {
    let mut access = acl_file(engine)?;
    let path = engine.config().text("aclfile").to_string();
    let written = access.write(&path, engine.acl.file_text().as_bytes());
    engine.acl_file = Some(access);
    written.map_err(|_| Error::AclSave)?;
    Ok(Reply::ok().into())
}

/// The ACL file's access, taken out of the engine while a command uses it; refused when no
/// `aclfile` is configured (or nothing can reach files, as in the page).
fn acl_file(engine: &mut Engine) -> Result<Box<dyn AclFileAccess>, Error> {
    if engine.config().text("aclfile").is_empty() {
        return Err(Error::NoAclFile);
    }
    engine.acl_file.take().ok_or(Error::NoAclFile)
}

/// Reads the ACL file and, when it is good, makes its users the only ones: the `default`
/// user's connections stay, every other user's are closed (Redis frees all the old users).
pub(crate) fn load_acl_file(
    engine: &mut Engine,
    access: &mut dyn AclFileAccess,
) -> Result<(), String> {
    let path = engine.config().text("aclfile").to_string();
    let text = access
        .read(&path)
        .map_err(|why| format!("Error loading ACLs, opening file '{path}': {why}"))?;
    let all_channels = engine.config.text("acl-pubsub-default") == "allchannels";
    let users = acl::load_users(&path, &text, all_channels)?;
    let old = std::mem::replace(&mut engine.acl.users, users);
    for name in old.keys().filter(|name| name.as_slice() != b"default") {
        engine.kill_clients_of(name);
    }
    Ok(())
}

/// ```text
/// ACL HELP
/// ```
fn help(_: &mut Engine, _: &Call<'_>) -> CommandResult {
    Ok(Reply::help("ACL", HELP).into())
}
