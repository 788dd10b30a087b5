//! The one error type. Its `Display` is the exact line Redis 7.0 sends after `-`, so every
//! error text the engine can produce lives here and nowhere else.

use std::fmt;

/// Everything a command can answer with instead of a result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    // --- Generic argument errors (server.c, object.c) ---
    /// The command name is not in the spec table. `args` are the first arguments, as Redis
    /// quotes them in the message.
    UnknownCommand {
        name: String,
        args: Vec<String>,
    },
    /// A container command (`CLIENT`, `CONFIG`, `COMMAND`) with an unknown subcommand.
    UnknownSubcommand {
        subcommand: String,
        command: String,
    },
    /// A command with subcommands that are not separate spec rows (DEBUG) given an unknown one,
    /// or a known one with the wrong number of arguments (`addReplySubcommandSyntaxError`).
    SubcommandSyntax {
        subcommand: String,
        command: String,
    },
    /// DEBUG refused because `enable-debug-command` is `no` (the default).
    DebugNotAllowed,
    /// DEBUG QUICKLIST-PACKED-THRESHOLD past 4 GiB, or not a memory value.
    PackedThreshold,
    /// The argument count does not match the spec's arity. `name` is Redis's full name
    /// (`get`, `client|setname`).
    WrongArity(String),
    /// `ERR syntax error`
    Syntax,
    /// A key holds a value of another type.
    WrongType,
    /// An argument that must be a 64-bit integer is not one.
    NotInteger,
    /// An argument that must be a float is not one.
    NotFloat,
    /// A count or index that must not be negative is.
    NotPositive,
    /// An integer argument outside the range a command takes (SELECT, MOVE, COPY ... DB take a C
    /// `int`: Redis's `getRangeLongFromObjectOrReply`).
    IntOutOfRange {
        min: i64,
        max: i64,
    },
    /// INCR/DECR family overflowing 64 bits.
    Overflow,
    /// DECRBY by i64::MIN, whose negation does not fit.
    DecrementOverflow,
    /// INCRBYFLOAT producing NaN or an infinity.
    NanOrInfinity,
    /// A TTL that is not positive, or that overflows when turned into milliseconds.
    InvalidExpireTime(String),
    /// A string would exceed `proto-max-bulk-len`.
    StringTooLong,
    /// SETRANGE/GETRANGE offsets beyond what Redis allows.
    OffsetOutOfRange,

    // --- Bitmaps (bitops.c) ---
    /// A bit offset that is not an integer, is negative, or reaches past `proto-max-bulk-len`
    /// bytes (SETBIT, GETBIT, BITFIELD).
    BitOffset,
    /// SETBIT's value other than 0 or 1.
    BitValue,
    /// BITOP NOT with other than one source key.
    BitopNotSingleSource,
    /// BITPOS's bit other than 0 or 1.
    BitposBit,
    /// A BITFIELD type other than `i1`..`i64` or `u1`..`u63`.
    BitfieldType,
    /// BITFIELD ... OVERFLOW other than WRAP, SAT or FAIL.
    BitfieldOverflowType,
    /// BITFIELD_RO with SET or INCRBY.
    BitfieldRoWrite,

    // --- HyperLogLog (hyperloglog.c) ---
    /// A string that is not a HyperLogLog given to a PF command.
    NotHll,
    /// A HyperLogLog whose sparse registers do not add up.
    CorruptedHll,
    /// PFDEBUG on a missing key.
    PfdebugNoSuchKey,
    /// PFDEBUG DECODE of a dense HyperLogLog.
    PfdebugNotSparse,
    /// PFDEBUG with a subcommand it does not know, as given.
    PfdebugUnknown(String),
    /// PFSELFTEST found the implementation wrong.
    HllSelfTest(crate::hyperloglog::SelfTestFailure),

    // --- Geo (geo.c) ---
    /// A longitude or latitude outside the Web Mercator limits: both as C's `%f` prints them
    /// ([`Error::invalid_lon_lat`]).
    GeoInvalidLonLat(String, String),
    /// FROMMEMBER or GEORADIUSBYMEMBER of a member the set does not hold.
    GeoMemberNotFound,
    /// A radius, width or height that is not a number; holds what Redis asks for
    /// (`radius`, `width`, `height`).
    GeoNeedNumeric(&'static str),
    /// A negative radius.
    GeoRadiusNegative,
    /// A negative width or height.
    GeoBoxNegative,
    /// A unit other than m, km, ft, mi.
    GeoUnit,
    /// COUNT of 0 or less.
    GeoCountNotPositive,
    /// STORE (or GEOSEARCHSTORE) with WITHDIST, WITHHASH or WITHCOORD; holds which.
    GeoStoreWithOptions(&'static str),
    /// GEOSEARCH without FROMMEMBER or FROMLONLAT; holds the command's name as typed.
    GeoNeedsFrom(String),
    /// GEOSEARCH without BYRADIUS or BYBOX; holds the command's name as typed.
    GeoNeedsBy(String),
    /// ANY without COUNT.
    GeoAnyWithoutCount,

    // --- Keyspace ---
    /// RENAME and friends on a missing key.
    NoSuchKey,
    /// MOVE/COPY to the same key in the same database.
    SameObject,
    /// SELECT, MOVE, COPY ... DB, SWAPDB with an index outside `0..databases`.
    DbIndexOutOfRange,
    /// SWAPDB's first argument is not a database index.
    InvalidFirstDbIndex,
    /// SWAPDB's second argument is not a database index.
    InvalidSecondDbIndex,
    /// A SCAN cursor that is not an unsigned integer.
    InvalidCursor,
    /// EXPIRE with both NX and XX/GT/LT.
    ExpireNxWithOthers,
    /// EXPIRE with both GT and LT.
    ExpireGtAndLt,
    /// An option a command does not know, quoted as given (`EXPIRE k 1 FOO`).
    UnsupportedOption(String),
    /// LCS on a key that holds something other than a string.
    LcsNotStrings,
    /// LCS with both LEN and IDX.
    LcsLenAndIdx,
    /// LCS whose table would need more than `proto-max-bulk-len` bytes.
    LcsTooMuchMemory,
    /// LCS whose table could not be allocated.
    LcsAllocationFailed,

    // --- Lists and hashes (t_list.c, t_hash.c) ---
    /// LSET at an index outside the list.
    IndexOutOfRange,
    /// LPOS with RANK 0.
    RankZero,
    /// LPOS's COUNT or MAXLEN below zero; holds the option's name.
    OptionNegative(&'static str),
    /// LMPOP's numkeys not a positive integer.
    NumkeysNotPositive,
    /// LMPOP's COUNT not a positive integer.
    CountNotPositive,
    /// HINCRBY on a field whose value is not an integer.
    HashValueNotInteger,
    /// HINCRBYFLOAT on a field whose value is not a number.
    HashValueNotFloat,
    /// HINCRBYFLOAT by an infinite increment.
    ValueNanOrInfinity,
    /// HRANDFIELD ... WITHVALUES with a count whose pairs could not be counted.
    ValueOutOfRange,

    // --- Sets, sorted sets and SORT (t_set.c, t_zset.c, sort.c) ---
    /// numkeys larger than the arguments that follow it (SINTERCARD, ZINTERCARD).
    NumkeysTooMany,
    /// ZUNION, ZINTER, ZDIFF (and STORE forms, ZINTERCARD) with numkeys below 1; holds the
    /// command's name.
    AtLeastOneInputKey(String),
    /// ZADD INCR with more than one score-member pair.
    ZaddIncrPair,
    /// ZADD with both NX and XX.
    ZaddXxAndNx,
    /// ZADD with GT or LT and NX, or GT with LT.
    ZaddGtLtNx,
    /// ZINCRBY / ZADD INCR reaching NaN (inf + -inf).
    ScoreNan,
    /// A score range end that is not a number.
    MinMaxNotFloat,
    /// A lex range end that does not start with `[`, `(` or is `-`/`+`.
    MinMaxNotLexItem,
    /// ZRANGE ... LIMIT without BYSCORE or BYLEX.
    LimitNeedsByscoreOrBylex,
    /// ZRANGE ... BYLEX WITHSCORES.
    WithscoresWithBylex,
    /// ZUNION/ZINTER ... WEIGHTS with a weight that is not a number.
    WeightNotFloat,
    /// SORT without ALPHA of an element (or BY weight) that is not a number.
    SortNotDouble,

    // --- Streams (t_stream.c) ---
    /// An ID that is not `ms-seq` (or `-`, `+` where allowed).
    InvalidStreamId,
    /// XADD with the ID 0-0.
    XaddIdZero,
    /// XADD with an ID not above the stream's last one.
    XaddIdTooSmall,
    /// XADD to a stream whose last ID is the highest possible.
    StreamExhausted,
    /// XADD of fields and values past what a node can hold.
    StreamElementsTooLarge,
    /// MAXLEN and MINID together.
    TrimStrategyTwice,
    /// MAXLEN below 0.
    MaxlenNegative,
    /// LIMIT below 0.
    LimitNegative,
    /// LIMIT without MAXLEN or MINID.
    LimitWithoutStrategy,
    /// XTRIM without MAXLEN or MINID.
    XtrimWithoutStrategy,
    /// LIMIT without `~`.
    LimitWithoutApprox,
    /// An exclusive range start at the highest ID.
    InvalidStartId,
    /// An exclusive range end at 0-0.
    InvalidEndId,
    /// XREAD's STREAMS followed by an odd number of arguments.
    XreadUnbalanced,
    /// XREAD with GROUP or NOACK; holds the option.
    XreadGroupOnly(&'static str),
    /// XREADGROUP without GROUP.
    XreadgroupWithoutGroup,
    /// XREADGROUP with the `$` ID.
    XreadgroupDollar,
    /// XREAD with the `>` ID.
    XreadGreaterThanId,
    /// A timeout in milliseconds that is not an integer.
    TimeoutNotInteger,
    /// XREAD or XREADGROUP with BLOCK from a script; holds the command's name as called.
    BlockFromScript(String),
    /// XREADGROUP on a missing key or group: key, group.
    NoGroupForRead {
        key: String,
        group: String,
    },
    /// XPENDING, XCLAIM, XAUTOCLAIM on a missing key or group: key, group.
    NoKeyOrGroup {
        key: String,
        group: String,
    },
    /// XGROUP and XINFO CONSUMERS on a missing group: group, key.
    NoGroup {
        group: String,
        key: String,
    },
    /// A blocked XREADGROUP whose group was destroyed.
    NoGroupBlocked,
    /// A blocked XREADGROUP whose stream was deleted or overwritten.
    StreamKeyDeleted,
    /// XGROUP on a missing key without MKSTREAM.
    XgroupKeyMissing,
    /// XGROUP CREATE of a group that exists.
    BusyGroup,
    /// ENTRIESREAD below -1.
    EntriesReadNegative,
    /// XSETID's ENTRIESADDED below 0.
    EntriesAddedNegative,
    /// XSETID's ID below its MAXDELETEDID.
    XsetidBelowMaxDeleted,
    /// XSETID's ID below the stream's last entry.
    XsetidBelowTop,
    /// XSETID's ENTRIESADDED below the stream's length.
    XsetidEntriesAddedBelowLength,
    /// An integer argument refused with the command's own words (XCLAIM's and XAUTOCLAIM's
    /// min-idle-time, IDLE, TIME, RETRYCOUNT; XAUTOCLAIM's COUNT).
    InvalidArgument(&'static str),
    /// XCLAIM with an option it does not know; holds it as given.
    XclaimOption(String),
    /// XAUTOCLAIM's COUNT too large to allocate its list of deleted IDs.
    XautoclaimCountTooHigh,

    // --- OBJECT, memory and eviction ---
    /// OBJECT FREQ without an LFU `maxmemory-policy`.
    LfuNotSelected,
    /// OBJECT IDLETIME under an LFU `maxmemory-policy`.
    LfuSelected,
    /// A `denyoom` command while memory is over `maxmemory` and nothing can be evicted.
    Oom,
    /// SLOWLOG GET with a count below -1 or not a number.
    SlowlogCount,

    // --- Connection ---
    /// HELLO with a protocol version that is not an integer.
    ProtocolVersionNotInteger,
    /// HELLO with a protocol version other than 2 or 3.
    NoProto,
    /// HELLO with an option it does not know.
    HelloSyntax(String),
    /// CLIENT SETNAME / HELLO SETNAME with a space or control character.
    InvalidClientName,

    // --- CONFIG ---
    /// CONFIG SET of a parameter that does not exist (or a wrong argument count).
    ConfigSetUnknown(String),
    /// CONFIG SET of a value that the parameter refuses; `reason` is Redis's explanation.
    ConfigSetFailed {
        name: String,
        reason: String,
    },
    /// CONFIG SET naming the same parameter twice.
    ConfigSetDuplicate(String),

    // --- COMMAND ---
    /// COMMAND GETKEYS of an unknown command.
    InvalidCommandSpecified,
    /// COMMAND GETKEYS with a wrong number of arguments for the command.
    InvalidArgumentsForCommand,
    /// COMMAND GETKEYS of a command that takes no keys.
    CommandHasNoKeys,
    /// COMMAND GETKEYS with an argument count the command's arity refuses.
    GetKeysWrongArity,
    /// CONFIG REWRITE: the engine never has a config file to rewrite.
    NoConfigFile,
    /// AUTH or HELLO ... AUTH with a user or password that does not authenticate.
    WrongPass,

    // --- Pub/sub and transactions (server.c, multi.c) ---
    /// A RESP2 client in the subscribed context sent a command other than (P|S)(UN)SUBSCRIBE,
    /// PING, QUIT or RESET; holds the command's full name.
    SubscribedContext(String),
    /// MULTI inside MULTI.
    MultiNested,
    /// WATCH inside MULTI.
    WatchInMulti,
    /// EXEC without MULTI.
    ExecWithoutMulti,
    /// DISCARD without MULTI.
    DiscardWithoutMulti,
    /// EXEC of a transaction in which a command was refused while queuing.
    ExecAbort,
    /// EXEC itself refused (its arity, the subscribed context): the transaction is
    /// discarded; holds the refusal's text after its `ERR `.
    ExecRefused(String),

    // --- Blocking commands and CLIENT (blocked.c, networking.c) ---
    /// A blocking command's timeout that is not a number.
    TimeoutNotFloat,
    /// A blocking command's timeout below zero (or too large to count in milliseconds).
    TimeoutNegative,
    /// CLIENT UNBLOCK with a reason other than TIMEOUT or ERROR.
    UnblockReason,
    /// The reply of a command ended by CLIENT UNBLOCK ... ERROR.
    Unblocked,
    /// CLIENT KILL of an address no client has.
    NoSuchClient,
    /// CLIENT KILL ID 0 or below.
    ClientIdNotPositive,
    /// CLIENT KILL/LIST TYPE with a type Redis does not know; holds it as given.
    UnknownClientType(String),
    /// CLIENT KILL USER of a user that does not exist.
    NoSuchUser(String),
    // --- Client-side caching (networking.c, tracking.c) ---
    /// CLIENT TRACKING ... REDIRECT given twice.
    TrackingRedirectTwice,
    /// CLIENT TRACKING ... REDIRECT to an id no client has.
    TrackingRedirectMissing,
    /// CLIENT TRACKING ON ... PREFIX without BCAST.
    TrackingPrefixWithoutBcast,
    /// CLIENT TRACKING ON switching BCAST on or off while tracking.
    TrackingBcastSwitch,
    /// CLIENT TRACKING ON BCAST with OPTIN or OPTOUT.
    TrackingOptWithBcast,
    /// CLIENT TRACKING ON OPTIN OPTOUT.
    TrackingOptinAndOptout,
    /// CLIENT TRACKING ON switching between OPTIN and OPTOUT while tracking.
    TrackingOptSwitch,
    /// A new prefix overlapping one the client already has: (new, existing).
    TrackingPrefixOverlapsExisting(String, String),
    /// Two prefixes of the same CLIENT TRACKING overlapping each other.
    TrackingPrefixOverlapsProvided(String, String),
    /// CLIENT CACHING while tracking is off.
    CachingWithoutTracking,
    /// CLIENT CACHING YES outside OPTIN mode.
    CachingYesWithoutOptin,
    /// CLIENT CACHING NO outside OPTOUT mode.
    CachingNoWithoutOptout,
    /// CLIENT LIST ID with an id that is not a positive integer.
    InvalidClientId,

    // --- Protocol (networking.c); sent before the server closes the connection ---
    /// A malformed request; the text follows `Protocol error: `.
    Protocol(&'static str),
    /// A multibulk argument that does not start with `$`; holds the byte found instead. Redis
    /// prints it raw; a byte above 0x7f shows here as the character of the same number.
    ProtocolExpectedBulk(u8),

    // --- Authentication and ACL (acl.c, server.c) ---
    /// A command other than AUTH, HELLO, QUIT, RESET before authenticating.
    NoAuth,
    /// HELLO without AUTH on a connection that has not authenticated.
    HelloNoAuth,
    /// `AUTH password` while the default user needs none.
    AuthWithoutPassword,
    /// The user may not run the command; holds its full name.
    NoPermCommand(String),
    /// The user may not touch one of the command's keys.
    NoPermKey,
    /// The user may not use one of the command's channels.
    NoPermChannel,
    /// A queued command refused at EXEC because the user's permissions changed; holds the
    /// reason's words.
    NoPermInExec(&'static str),
    /// ACL SETUSER refused a rule: the rule as given and why.
    AclRule {
        rule: String,
        reason: crate::acl::RuleError,
    },
    /// ACL SETUSER with a `(` selector never closed; holds where it starts.
    AclUnmatchedParenthesis(String),
    /// ACL SETUSER of a name with a space or NUL.
    AclUsernameSpaces,
    /// ACL DELUSER default.
    AclDeleteDefault,
    /// ACL CAT of an unknown category.
    AclUnknownCategory(String),
    /// ACL GENPASS with a bit count outside 1..=4096.
    AclGenpassBits,
    /// ACL DRYRUN of a user that does not exist.
    AclDryrunNoUser(String),
    /// ACL DRYRUN of a command that does not exist.
    AclDryrunNoCommand(String),
    /// ACL LOAD and ACL SAVE without an `aclfile`.
    NoAclFile,
    /// A monitor (a replica, to Redis) sent a command that reads, writes or may replicate.
    ReplicaKeyspace,
    /// MONITOR from a client that must get a reply per command (inside EXEC).
    MonitorDenyBlocking,
    /// CLIENT PAUSE's mode is neither WRITE nor ALL.
    PauseMode,
    /// ACL LOAD of a file that cannot be read or has errors: Redis's list of them.
    AclLoad(String),
    /// ACL SAVE could not write the file.
    AclSave,
    /// A connection from another host while `protected-mode` is on and the default user has
    /// no password; sent before the server closes it.
    ProtectedMode,
    /// A connection beyond `maxclients`; sent before the server closes it.
    MaxClients,
    // --- Persistence (rdb.c, cluster.c's DUMP/RESTORE, debug.c) ---
    /// RESTORE onto an existing key without REPLACE.
    BusyKey,
    /// RESTORE with a negative TTL.
    InvalidTtl,
    /// RESTORE ... IDLETIME with a negative value.
    InvalidIdletime,
    /// RESTORE ... FREQ outside 0..=255.
    InvalidFreq,
    /// A DUMP payload whose footer is wrong: a newer RDB version or a bad CRC-64.
    DumpPayloadChecksum,
    /// A DUMP payload whose footer is right but whose value cannot be read.
    BadDataFormat,
    /// SAVE (or what needs one) could not write the snapshot: Redis's bare `-ERR`.
    SaveFailed,
    /// DEBUG RELOAD could not load back what it saved.
    ReloadFailed,
    /// DEBUG RELOAD with an option it does not know.
    ReloadOptions,
    /// DEBUG PROTOCOL with a type it does not know.
    DebugProtocolType,
    /// SHUTDOWN could not save.
    ShutdownSaveFailed,
    /// A write (or PING) after a background save failed, with save points set and
    /// `stop-writes-on-bgsave-error yes`.
    MisconfRdb,
    /// A write (or PING) after writing to the append-only log failed; the system's reason.
    MisconfAof(String),
    /// A write with `min-replicas-to-write` set and fewer good replicas.
    NoReplicas,
    /// SHUTDOWN ABORT with no shutdown under way.
    NoShutdownInProgress,
    /// A command flagged `no_multi` (SAVE, SHUTDOWN) sent inside MULTI.
    NotAllowedInMulti,

    // --- Scripting (eval.c, script.c, script_lua.c) ---
    /// EVALSHA of a script not in the cache.
    NoScript,
    /// EVAL's numkeys greater than the arguments that follow.
    NumKeysTooBig,
    /// EVAL's numkeys below zero.
    NumKeysNegative,
    /// A `#!` line that cannot be read: Redis's reason (`Invalid script shebang`,
    /// `Unexpected flag in script shebang: x`…).
    Shebang(String),
    /// The script does not compile: Lua's message (`user_script:1: '=' expected near…`).
    ScriptCompile(String),
    /// A script declaring writes run with EVAL_RO or EVALSHA_RO.
    ScriptWriteFlagWithRo,
    /// A script declaring flags, over `maxmemory`, without `allow-oom` or `no-writes`.
    ScriptOom,
    /// A script declaring writes while the last save or log write failed.
    ScriptMisconfRdb,
    ScriptMisconfAof(String),
    /// The script ended with an error that is not Redis's error table (a memory error, an
    /// error in the error handler): the script's name and the message.
    ScriptRunFailed(String, String),
    /// The script's error table, as its caller gets it (`ERR … script: f_…, on
    /// @user_script:1.`). `counted` when the failing command's error was counted already in
    /// INFO errorstats, which the script's reply must not count again.
    ScriptError {
        text: String,
        counted: bool,
    },
    /// SCRIPT KILL stopped it.
    ScriptKilled,
    /// A script inside EXEC ran past `busy-reply-threshold` without writing: the engine
    /// stops it, as no other client can be served to send SCRIPT KILL (this engine runs a
    /// transaction whole).
    ScriptStoppedInExec,
    /// A command other than the few `allow-busy` ones while a script is past
    /// `busy-reply-threshold`; names SCRIPT KILL for EVAL, FUNCTION KILL for FCALL.
    Busy {
        eval: bool,
    },
    /// SCRIPT KILL with nothing running.
    NotBusy,
    /// SCRIPT KILL of a script that has written.
    Unkillable,
    /// SCRIPT FLUSH with an option other than SYNC or ASYNC.
    ScriptFlushOption,
    /// SCRIPT DEBUG with an argument other than YES, SYNC or NO.
    ScriptDebugUsage,
    /// SCRIPT DEBUG YES or SYNC: this engine has no Lua debugger.
    ScriptDebugUnavailable,

    // --- Functions (functions.c, function_lua.c) ---
    /// FCALL of a function no library registered.
    FunctionNotFound,
    /// FUNCTION DELETE of a library that is not there.
    LibraryNotFound,
    /// FCALL's numkeys is not an integer.
    FcallBadNumKeys,
    /// FUNCTION LOAD with an argument other than REPLACE before the code.
    FunctionLoadOption(String),
    /// FUNCTION LIST with an argument it does not take (or takes once only).
    FunctionListArgument(String),
    /// FUNCTION LIST LIBRARYNAME without its pattern.
    FunctionListNoPattern,
    /// FUNCTION FLUSH with an option other than SYNC or ASYNC.
    FunctionFlushOption,
    /// FUNCTION RESTORE with a policy other than FLUSH, APPEND or REPLACE.
    FunctionRestorePolicy,
    /// A FUNCTION RESTORE payload that is not libraries: Redis's reason.
    FunctionPayload(&'static str),
    /// A library's code that does not start with `#!`.
    LibraryMetadataMissing,
    /// A first line with no newline after it, or quotes that do not close.
    LibraryMetadataInvalid,
    /// `name=` twice on the first line.
    LibraryNameTwice,
    /// Something on the first line other than `name=`.
    LibraryMetadataValue(String),
    /// No `name=` on the first line.
    LibraryNameMissing,
    /// A library (or function) name with something else than letters, digits and `_`.
    LibraryNameFormat,
    /// A first line naming an engine other than Lua.
    EngineNotFound(String),
    /// FUNCTION LOAD without REPLACE of a library that exists.
    LibraryExists(String),
    /// FUNCTION RESTORE (APPEND) of a library that exists: Redis words it without quotes.
    LibraryExistsOnRestore(String),
    /// A function name another library holds already.
    FunctionExists(String),
    /// A library whose code registered nothing.
    NoFunctionsRegistered,
    /// A library's code that does not compile: Lua's message.
    FunctionCompile(String),
    /// A library's code that failed while it ran: the error (`ERR user_function:2: …`).
    FunctionRegistration(String),

    // --- DEBUG (debug.c) ---
    /// DEBUG SDSLEN of a value that is not a string held as an sds (`int` encoded, or not a
    /// string).
    NotSdsString,
    /// DEBUG LISTPACK of a value not encoded as a listpack.
    NotListpack,
    /// DEBUG QUICKLIST of a value not encoded as a quicklist.
    NotQuicklist,
    /// DEBUG HTSTATS-KEY of a value without a hash table.
    NotHashTable,
    /// DEBUG HTSTATS of a database number outside `databases`.
    DebugDbOutOfRange,
    /// DEBUG MALLCTL / MALLCTL-STR refused by the allocator: the system's text for its
    /// error number (`strerror`).
    Mallctl(&'static str),
    /// DEBUG CLIENT-EVICTION without client eviction (`maxmemory-clients` 0).
    ClientEvictionDisabled,
    /// DEBUG CLUSTERLINK outside cluster mode.
    DebugNeedsCluster,
    /// DEBUG CONFIG-REWRITE-FORCE-ALL could not write the config file: why.
    ConfigRewriteForceAll(&'static str),
    /// DEBUG PROTOCOL PUSH asked on RESP2.
    Resp2NotSupported,
    /// DEBUG RESTART could not save first.
    RestartFailed,
    /// LATENCY GRAPH of an event with no samples; holds the name as given.
    NoLatencySamples(String),

    // --- Replication, the primary's side (replication.c) ---
    /// REPLCONF with an option it does not know; holds the option as given.
    ReplconfUnknownOption(String),
    /// REPLCONF ip-address of 256 bytes or more; holds the length.
    ReplconfIpTooLong(usize),
    /// REPLCONF rdb-filter-only whose value does not split (an unbalanced quote).
    ReplconfFilterMissing,
    /// REPLCONF rdb-filter-only naming a filter other than `functions`.
    ReplconfFilterUnsupported(String),
    /// SYNC or PSYNC from a replica that asked for a filtered snapshot without `capa eof`.
    FilteredReplicaNeedsEof,
    /// SYNC or PSYNC from a client with replies still to send.
    SyncPendingOutput,
    /// PSYNC ... FAILOVER sent to a primary.
    PsyncFailoverToMaster,
    /// SYNC or PSYNC while this server fails over.
    SyncWhileFailingOver,
    /// FAILOVER ABORT with none under way.
    NoFailoverInProgress,
    /// FAILOVER TIMEOUT of 0 or less.
    FailoverTimeoutNotPositive,
    /// FAILOVER while one is under way.
    FailoverInProgress,
    /// FAILOVER with no replica attached.
    FailoverNoReplicas,
    /// FAILOVER FORCE without both TIMEOUT and TO.
    FailoverForceNeedsTarget,
    /// FAILOVER TO an address no replica listens at.
    FailoverTargetNotReplica,
    /// FAILOVER TO a replica still syncing.
    FailoverTargetNotOnline,

    // --- Replication, the replica's side (replication.c, blocked.c, server.c) ---
    /// A write on a replica while `replica-read-only` is on.
    ReadOnlyReplica,
    /// A command not flagged `stale` on a replica whose link is down, with
    /// `replica-serve-stale-data no`.
    MasterDown,
    /// REPLICAOF with a port that is not a number from 0 to 65535.
    InvalidMasterPort,
    /// REPLICAOF host port sent by a client that is itself a replica of this engine.
    ReplicaOfByReplica,
    /// A blocked command's reply when its server starts following a primary.
    UnblockedRoleChange,
    /// A script that may write, started on a read-only replica (its flags declared).
    ScriptReadOnlyReplica,
    /// A script without `allow-stale` on a replica serving no stale data, its link down.
    ScriptMasterDown,
    /// SYNC or PSYNC sent to a replica whose own link is down.
    NoMasterLinkForSync,
    /// REPLICAOF while this server fails over.
    ReplicaOfWhileFailingOver,
    /// PSYNC ... FAILOVER naming a replication ID that is not this replica's.
    PsyncFailoverReplidMismatch,
}

impl Error {
    /// [`Error::GeoInvalidLonLat`] for a place outside the limits, its coordinates printed as
    /// C's `%f` does (six decimals, every integer digit; Rust's `{:.6}` is as exact).
    pub fn invalid_lon_lat(longitude: f64, latitude: f64) -> Error {
        Error::GeoInvalidLonLat(format!("{longitude:.6}"), format!("{latitude:.6}"))
    }
}

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Error::*;
        match self {
            UnknownCommand { name, args } => {
                write!(
                    f,
                    "ERR unknown command '{name}', with args beginning with: "
                )?;
                for arg in args {
                    write!(f, "'{arg}' ")?;
                }
                Ok(())
            }
            UnknownSubcommand {
                subcommand,
                command,
            } => {
                write!(
                    f,
                    "ERR unknown subcommand '{subcommand}'. Try {command} HELP."
                )
            }
            SubcommandSyntax {
                subcommand,
                command,
            } => write!(
                f,
                "ERR unknown subcommand or wrong number of arguments for '{subcommand}'. Try {command} HELP."
            ),
            PackedThreshold => f.write_str(
                "ERR argument must be a memory value bigger than 1 and smaller than 4gb",
            ),
            DebugNotAllowed => f.write_str(
                "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", \
                 you can run it from a local connection, otherwise you need to set this option in the \
                 configuration file, and then restart the server.",
            ),
            WrongArity(name) => write!(f, "ERR wrong number of arguments for '{name}' command"),
            Syntax => f.write_str("ERR syntax error"),
            WrongType => {
                f.write_str("WRONGTYPE Operation against a key holding the wrong kind of value")
            }
            NotInteger => f.write_str("ERR value is not an integer or out of range"),
            NotFloat => f.write_str("ERR value is not a valid float"),
            NotPositive => f.write_str("ERR value is out of range, must be positive"),
            IntOutOfRange { min, max } => {
                write!(
                    f,
                    "ERR value is out of range, value must between {min} and {max}"
                )
            }
            Overflow => f.write_str("ERR increment or decrement would overflow"),
            DecrementOverflow => f.write_str("ERR decrement would overflow"),
            NanOrInfinity => f.write_str("ERR increment would produce NaN or Infinity"),
            InvalidExpireTime(cmd) => write!(f, "ERR invalid expire time in '{cmd}' command"),
            StringTooLong => {
                f.write_str("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
            }
            OffsetOutOfRange => f.write_str("ERR offset is out of range"),
            BitOffset => f.write_str("ERR bit offset is not an integer or out of range"),
            BitValue => f.write_str("ERR bit is not an integer or out of range"),
            BitopNotSingleSource => {
                f.write_str("ERR BITOP NOT must be called with a single source key.")
            }
            BitposBit => f.write_str("ERR The bit argument must be 1 or 0."),
            BitfieldType => f.write_str(
                "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not \
                 supported but i64 is.",
            ),
            BitfieldOverflowType => f.write_str("ERR Invalid OVERFLOW type specified"),
            BitfieldRoWrite => f.write_str("ERR BITFIELD_RO only supports the GET subcommand"),
            NotHll => f.write_str("WRONGTYPE Key is not a valid HyperLogLog string value."),
            CorruptedHll => f.write_str("INVALIDOBJ Corrupted HLL object detected"),
            PfdebugNoSuchKey => f.write_str("ERR The specified key does not exist"),
            PfdebugNotSparse => f.write_str("ERR HLL encoding is not sparse"),
            PfdebugUnknown(name) => write!(f, "ERR Unknown PFDEBUG subcommand '{name}'"),
            HllSelfTest(failure) => {
                use crate::hyperloglog::SelfTestFailure::*;
                f.write_str("ERR TESTFAILED ")?;
                match failure {
                    Register {
                        index,
                        expected,
                        found,
                    } => write!(f, "Register {index} should be {expected} but is {found}"),
                    SparseNotUsed => f.write_str("sparse encoding not used"),
                    Disagree => f.write_str("dense/sparse disagree"),
                    TooBigError { cardinality, error } => {
                        write!(f, "Too big error. card:{cardinality} abserr:{error}")
                    }
                }
            }
            GeoInvalidLonLat(longitude, latitude) => write!(
                f,
                "ERR invalid longitude,latitude pair {longitude},{latitude}"
            ),
            GeoMemberNotFound => f.write_str("ERR could not decode requested zset member"),
            GeoNeedNumeric(what) => write!(f, "ERR need numeric {what}"),
            GeoRadiusNegative => f.write_str("ERR radius cannot be negative"),
            GeoBoxNegative => f.write_str("ERR height or width cannot be negative"),
            GeoUnit => f.write_str("ERR unsupported unit provided. please use M, KM, FT, MI"),
            GeoCountNotPositive => f.write_str("ERR COUNT must be > 0"),
            GeoStoreWithOptions(which) => write!(
                f,
                "ERR {which} is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
            ),
            GeoNeedsFrom(command) => write!(
                f,
                "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {command}"
            ),
            GeoNeedsBy(command) => write!(
                f,
                "ERR exactly one of BYRADIUS and BYBOX can be specified for {command}"
            ),
            GeoAnyWithoutCount => f.write_str("ERR the ANY argument requires COUNT argument"),
            NoSuchKey => f.write_str("ERR no such key"),
            IndexOutOfRange => f.write_str("ERR index out of range"),
            NumkeysTooMany => f.write_str("ERR Number of keys can't be greater than number of args"),
            AtLeastOneInputKey(cmd) => {
                write!(f, "ERR at least 1 input key is needed for '{cmd}' command")
            }
            ZaddIncrPair => f.write_str("ERR INCR option supports a single increment-element pair"),
            ZaddXxAndNx => {
                f.write_str("ERR XX and NX options at the same time are not compatible")
            }
            ZaddGtLtNx => {
                f.write_str("ERR GT, LT, and/or NX options at the same time are not compatible")
            }
            ScoreNan => f.write_str("ERR resulting score is not a number (NaN)"),
            MinMaxNotFloat => f.write_str("ERR min or max is not a float"),
            MinMaxNotLexItem => f.write_str("ERR min or max not valid string range item"),
            LimitNeedsByscoreOrBylex => f.write_str(
                "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
            ),
            WithscoresWithBylex => {
                f.write_str("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
            }
            WeightNotFloat => f.write_str("ERR weight value is not a float"),
            SortNotDouble => f.write_str("ERR One or more scores can't be converted into double"),
            RankZero => f.write_str("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"),
            OptionNegative(option) => write!(f, "ERR {option} can't be negative"),
            NumkeysNotPositive => f.write_str("ERR numkeys should be greater than 0"),
            CountNotPositive => f.write_str("ERR count should be greater than 0"),
            HashValueNotInteger => f.write_str("ERR hash value is not an integer"),
            HashValueNotFloat => f.write_str("ERR hash value is not a float"),
            ValueNanOrInfinity => f.write_str("ERR value is NaN or Infinity"),
            ValueOutOfRange => f.write_str("ERR value is out of range"),
            InvalidStreamId => {
                f.write_str("ERR Invalid stream ID specified as stream command argument")
            }
            XaddIdZero => f.write_str("ERR The ID specified in XADD must be greater than 0-0"),
            XaddIdTooSmall => f.write_str(
                "ERR The ID specified in XADD is equal or smaller than the target stream top item",
            ),
            StreamExhausted => f.write_str(
                "ERR The stream has exhausted the last possible ID, unable to add more items",
            ),
            StreamElementsTooLarge => f.write_str("ERR Elements are too large to be stored"),
            TrimStrategyTwice => f.write_str(
                "ERR syntax error, MAXLEN and MINID options at the same time are not compatible",
            ),
            MaxlenNegative => f.write_str("ERR The MAXLEN argument must be >= 0."),
            LimitNegative => f.write_str("ERR The LIMIT argument must be >= 0."),
            LimitWithoutStrategy => f.write_str(
                "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy",
            ),
            XtrimWithoutStrategy => {
                f.write_str("ERR syntax error, XTRIM must be called with a trimming strategy")
            }
            LimitWithoutApprox => {
                f.write_str("ERR syntax error, LIMIT cannot be used without the special ~ option")
            }
            InvalidStartId => f.write_str("ERR invalid start ID for the interval"),
            InvalidEndId => f.write_str("ERR invalid end ID for the interval"),
            XreadUnbalanced => f.write_str(
                "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
            ),
            XreadGroupOnly(option) => write!(
                f,
                "ERR The {option} option is only supported by XREADGROUP. You called XREAD instead."
            ),
            XreadgroupWithoutGroup => f.write_str("ERR Missing GROUP option for XREADGROUP"),
            XreadgroupDollar => f.write_str(
                "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the \
                 history of this consumer by specifying a proper ID, or use the > ID to get new \
                 messages. The $ ID would just return an empty result set.",
            ),
            XreadGreaterThanId => f.write_str(
                "ERR The > ID can be specified only when calling XREADGROUP using the GROUP \
                 <group> <consumer> option.",
            ),
            TimeoutNotInteger => f.write_str("ERR timeout is not an integer or out of range"),
            BlockFromScript(command) => write!(
                f,
                "ERR {command} command is not allowed with BLOCK option from scripts"
            ),
            NoGroupForRead { key, group } => write!(
                f,
                "NOGROUP No such key '{key}' or consumer group '{group}' in XREADGROUP with GROUP option"
            ),
            NoKeyOrGroup { key, group } => {
                write!(f, "NOGROUP No such key '{key}' or consumer group '{group}'")
            }
            NoGroup { group, key } => write!(
                f,
                "NOGROUP No such consumer group '{group}' for key name '{key}'"
            ),
            NoGroupBlocked => f.write_str(
                "NOGROUP the consumer group this client was blocked on no longer exists",
            ),
            StreamKeyDeleted => f.write_str("UNBLOCKED the stream key no longer exists"),
            XgroupKeyMissing => f.write_str(
                "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you \
                 may want to use the MKSTREAM option to create an empty stream automatically.",
            ),
            BusyGroup => f.write_str("BUSYGROUP Consumer Group name already exists"),
            EntriesReadNegative => f.write_str("ERR value for ENTRIESREAD must be positive or -1"),
            EntriesAddedNegative => f.write_str("ERR entries_added must be positive"),
            XsetidBelowMaxDeleted => f.write_str(
                "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
            ),
            XsetidBelowTop => f.write_str(
                "ERR The ID specified in XSETID is smaller than the target stream top item",
            ),
            XsetidEntriesAddedBelowLength => f.write_str(
                "ERR The entries_added specified in XSETID is smaller than the target stream length",
            ),
            InvalidArgument(text) => write!(f, "ERR {text}"),
            XclaimOption(option) => write!(f, "ERR Unrecognized XCLAIM option '{option}'"),
            XautoclaimCountTooHigh => f.write_str(
                "ERR Insufficient memory, failed allocating transient memory, COUNT too high.",
            ),
            LfuSelected => f.write_str("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."),
            Oom => f.write_str("OOM command not allowed when used memory > 'maxmemory'."),
            SlowlogCount => f.write_str("ERR count should be greater than or equal to -1"),
            LfuNotSelected => f.write_str("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."),
            SameObject => f.write_str("ERR source and destination objects are the same"),
            DbIndexOutOfRange => f.write_str("ERR DB index is out of range"),
            InvalidFirstDbIndex => f.write_str("ERR invalid first DB index"),
            InvalidSecondDbIndex => f.write_str("ERR invalid second DB index"),
            InvalidCursor => f.write_str("ERR invalid cursor"),
            ExpireNxWithOthers => {
                f.write_str("ERR NX and XX, GT or LT options at the same time are not compatible")
            }
            ExpireGtAndLt => {
                f.write_str("ERR GT and LT options at the same time are not compatible")
            }
            UnsupportedOption(opt) => write!(f, "ERR Unsupported option {opt}"),
            LcsNotStrings => f.write_str("ERR The specified keys must contain string values"),
            LcsLenAndIdx => {
                f.write_str("ERR If you want both the length and indexes, please just use IDX.")
            }
            LcsTooMuchMemory => f.write_str(
                "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
            ),
            LcsAllocationFailed => {
                f.write_str("ERR Insufficient memory, failed allocating transient memory for LCS")
            }
            ProtocolVersionNotInteger => {
                f.write_str("ERR Protocol version is not an integer or out of range")
            }
            NoProto => f.write_str("NOPROTO unsupported protocol version"),
            HelloSyntax(opt) => write!(f, "ERR Syntax error in HELLO option '{opt}'"),
            InvalidClientName => f.write_str(
                "ERR Client names cannot contain spaces, newlines or special characters.",
            ),
            ConfigSetUnknown(name) => {
                write!(
                    f,
                    "ERR Unknown option or number of arguments for CONFIG SET - '{name}'"
                )
            }
            ConfigSetFailed { name, reason } => {
                write!(
                    f,
                    "ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}"
                )
            }
            ConfigSetDuplicate(name) => {
                write!(f, "ERR CONFIG SET failed (possibly related to argument '{name}') - duplicate parameter")
            }
            InvalidCommandSpecified => f.write_str("ERR Invalid command specified"),
            InvalidArgumentsForCommand => {
                f.write_str("ERR Invalid arguments specified for command")
            }
            CommandHasNoKeys => f.write_str("ERR The command has no key arguments"),
            GetKeysWrongArity => {
                f.write_str("ERR Invalid number of arguments specified for command")
            }
            NoConfigFile => f.write_str("ERR The server is running without a config file"),
            WrongPass => {
                f.write_str("WRONGPASS invalid username-password pair or user is disabled.")
            }
            SubscribedContext(name) => write!(
                f,
                "ERR Can't execute '{name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
            ),
            MultiNested => f.write_str("ERR MULTI calls can not be nested"),
            WatchInMulti => f.write_str("ERR WATCH inside MULTI is not allowed"),
            ExecWithoutMulti => f.write_str("ERR EXEC without MULTI"),
            DiscardWithoutMulti => f.write_str("ERR DISCARD without MULTI"),
            ExecAbort => {
                f.write_str("EXECABORT Transaction discarded because of previous errors.")
            }
            ExecRefused(why) => write!(f, "EXECABORT Transaction discarded because of: {why}"),
            TimeoutNotFloat => f.write_str("ERR timeout is not a float or out of range"),
            TimeoutNegative => f.write_str("ERR timeout is negative"),
            UnblockReason => f.write_str("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"),
            Unblocked => f.write_str("UNBLOCKED client unblocked via CLIENT UNBLOCK"),
            NoSuchClient => f.write_str("ERR No such client"),
            ClientIdNotPositive => f.write_str("ERR client-id should be greater than 0"),
            UnknownClientType(kind) => write!(f, "ERR Unknown client type '{kind}'"),
            NoSuchUser(user) => write!(f, "ERR No such user '{user}'"),
            TrackingRedirectTwice => {
                f.write_str("ERR A client can only redirect to a single other client")
            }
            TrackingRedirectMissing => {
                f.write_str("ERR The client ID you want redirect to does not exist")
            }
            TrackingPrefixWithoutBcast => {
                f.write_str("ERR PREFIX option requires BCAST mode to be enabled")
            }
            TrackingBcastSwitch => f.write_str(
                "ERR You can't switch BCAST mode on/off before disabling tracking for this \
                 client, and then re-enabling it with a different mode.",
            ),
            TrackingOptWithBcast => f.write_str("ERR OPTIN and OPTOUT are not compatible with BCAST"),
            TrackingOptinAndOptout => {
                f.write_str("ERR You can't specify both OPTIN mode and OPTOUT mode")
            }
            TrackingOptSwitch => f.write_str(
                "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this \
                 client, and then re-enabling it with a different mode.",
            ),
            TrackingPrefixOverlapsExisting(new, old) => write!(
                f,
                "ERR Prefix '{new}' overlaps with an existing prefix '{old}'. \
                 Prefixes for a single client must not overlap."
            ),
            TrackingPrefixOverlapsProvided(one, other) => write!(
                f,
                "ERR Prefix '{one}' overlaps with another provided prefix '{other}'. \
                 Prefixes for a single client must not overlap."
            ),
            CachingWithoutTracking => f.write_str(
                "ERR CLIENT CACHING can be called only when the client is in tracking mode \
                 with OPTIN or OPTOUT mode enabled",
            ),
            CachingYesWithoutOptin => f.write_str(
                "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.",
            ),
            CachingNoWithoutOptout => f.write_str(
                "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.",
            ),
            InvalidClientId => f.write_str("ERR Invalid client ID"),
            Protocol(what) => write!(f, "ERR Protocol error: {what}"),
            BusyKey => f.write_str("BUSYKEY Target key name already exists."),
            InvalidTtl => f.write_str("ERR Invalid TTL value, must be >= 0"),
            InvalidIdletime => f.write_str("ERR Invalid IDLETIME value, must be >= 0"),
            InvalidFreq => f.write_str("ERR Invalid FREQ value, must be >= 0 and <= 255"),
            DumpPayloadChecksum => f.write_str("ERR DUMP payload version or checksum are wrong"),
            BadDataFormat => f.write_str("ERR Bad data format"),
            SaveFailed => f.write_str("ERR"),
            ReloadFailed => {
                f.write_str("ERR Error trying to load the RDB dump")
            }
            ReloadOptions => {
                f.write_str("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
            }
            DebugProtocolType => f.write_str(
                "ERR Wrong protocol type name. Please use one of the following: \
                 string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false",
            ),
            ShutdownSaveFailed => f.write_str("ERR Errors trying to SHUTDOWN. Check logs."),
            MisconfRdb => f.write_str(
                "MISCONF Redis is configured to save RDB snapshots, but it's currently unable \
                 to persist to disk. Commands that may modify the data set are disabled, \
                 because this instance is configured to report errors during writes if RDB \
                 snapshotting fails (stop-writes-on-bgsave-error option). Please check the \
                 Redis logs for details about the RDB error.",
            ),
            MisconfAof(why) => write!(f, "MISCONF Errors writing to the AOF file: {why}"),
            NoReplicas => f.write_str("NOREPLICAS Not enough good replicas to write."),
            NoShutdownInProgress => f.write_str("ERR No shutdown in progress."),
            NotAllowedInMulti => f.write_str("ERR Command not allowed inside a transaction"),
            NoScript => f.write_str("NOSCRIPT No matching script. Please use EVAL."),
            NumKeysTooBig => {
                f.write_str("ERR Number of keys can't be greater than number of args")
            }
            NumKeysNegative => f.write_str("ERR Number of keys can't be negative"),
            Shebang(why) => write!(f, "ERR {why}"),
            ScriptCompile(why) => write!(f, "ERR Error compiling script (new function): {why}"),
            ScriptWriteFlagWithRo => {
                f.write_str("ERR Can not execute a script with write flag using *_ro command.")
            }
            ScriptOom => f.write_str(
                "OOM allow-oom flag is not set on the script, can not run it when used memory \
                 > 'maxmemory'",
            ),
            ScriptMisconfRdb => f.write_str(
                "MISCONF Redis is configured to save RDB snapshots, but it's currently unable \
                 to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for \
                 read only scripts.",
            ),
            ScriptMisconfAof(why) => write!(
                f,
                "MISCONF Redis is configured to persist data to AOF, but it's currently unable \
                 to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for \
                 read only scripts. AOF error: {why}"
            ),
            ScriptRunFailed(name, why) => {
                let why: String = why.chars().take(100).collect();
                // Redis's format ends in a newline, which its error sanitizing turns into a
                // space.
                write!(f, "ERR Error running script {name}, {why} ")
            }
            ScriptError { text, .. } => f.write_str(text),
            ScriptKilled => f.write_str("ERR Script killed by user with SCRIPT KILL..."),
            ScriptStoppedInExec => f.write_str(
                "ERR Script stopped: it ran past busy-reply-threshold inside MULTI/EXEC, where \
                 no other client can be served to send SCRIPT KILL",
            ),
            Busy { eval: true } => f.write_str(
                "BUSY Redis is busy running a script. You can only call SCRIPT KILL or \
                 SHUTDOWN NOSAVE.",
            ),
            Busy { eval: false } => f.write_str(
                "BUSY Redis is busy running a script. You can only call FUNCTION KILL or \
                 SHUTDOWN NOSAVE.",
            ),
            NotBusy => f.write_str("NOTBUSY No scripts in execution right now."),
            Unkillable => f.write_str(
                "UNKILLABLE Sorry the script already executed write commands against the \
                 dataset. You can either wait the script termination or kill the server in a \
                 hard way using the SHUTDOWN NOSAVE command.",
            ),
            ScriptFlushOption => f.write_str("ERR SCRIPT FLUSH only support SYNC|ASYNC option"),
            ScriptDebugUsage => f.write_str("ERR Use SCRIPT DEBUG YES/SYNC/NO"),
            ScriptDebugUnavailable => f.write_str(
                "ERR SCRIPT DEBUG YES and SYNC need Redis's Lua debugger, which this engine does \
                 not have: scripts always run whole (SCRIPT DEBUG NO)",
            ),
            FunctionNotFound => f.write_str("ERR Function not found"),
            LibraryNotFound => f.write_str("ERR Library not found"),
            FcallBadNumKeys => f.write_str("ERR Bad number of keys provided"),
            FunctionLoadOption(option) => write!(f, "ERR Unknown option given: {option}"),
            FunctionListArgument(arg) => write!(f, "ERR Unknown argument {arg}"),
            FunctionListNoPattern => f.write_str("ERR library name argument was not given"),
            FunctionFlushOption => {
                f.write_str("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
            }
            FunctionRestorePolicy => f.write_str(
                "ERR Wrong restore policy given, value should be either FLUSH, APPEND or \
                 REPLACE.",
            ),
            FunctionPayload(why) => write!(f, "ERR {why}"),
            LibraryMetadataMissing => f.write_str("ERR Missing library metadata"),
            LibraryMetadataInvalid => f.write_str("ERR Invalid library metadata"),
            LibraryNameTwice => f.write_str(
                "ERR Invalid metadata value, name argument was given multiple times",
            ),
            LibraryMetadataValue(value) => write!(f, "ERR Invalid metadata value given: {value}"),
            LibraryNameMissing => f.write_str("ERR Library name was not given"),
            LibraryNameFormat => f.write_str(
                "ERR Library names can only contain letters, numbers, or underscores(_) and \
                 must be at least one character long",
            ),
            EngineNotFound(engine) => write!(f, "ERR Engine '{engine}' not found"),
            LibraryExists(name) => write!(f, "ERR Library '{name}' already exists"),
            LibraryExistsOnRestore(name) => write!(f, "ERR Library {name} already exists"),
            FunctionExists(name) => write!(f, "ERR Function {name} already exists"),
            NoFunctionsRegistered => f.write_str("ERR No functions registered"),
            FunctionCompile(why) => write!(f, "ERR Error compiling function: {why}"),
            FunctionRegistration(why) => write!(f, "ERR Error registering functions: {why}"),
            ProtocolExpectedBulk(got) => {
                write!(
                    f,
                    "ERR Protocol error: expected '$', got '{}'",
                    char::from(*got)
                )
            }
            NoAuth => f.write_str("NOAUTH Authentication required."),
            HelloNoAuth => f.write_str("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"),
            AuthWithoutPassword => f.write_str("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"),
            NoPermCommand(name) => write!(f, "NOPERM this user has no permissions to run the '{name}' command"),
            NoPermKey => f.write_str("NOPERM this user has no permissions to access one of the keys used as arguments"),
            NoPermChannel => f.write_str("NOPERM this user has no permissions to access one of the channels used as arguments"),
            NoPermInExec(reason) => write!(f, "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: {reason}"),
            AclRule { rule, reason } => write!(f, "ERR Error in ACL SETUSER modifier '{rule}': {reason}"),
            AclUnmatchedParenthesis(at) => write!(f, "ERR Unmatched parenthesis in acl selector starting at '{at}'."),
            AclUsernameSpaces => f.write_str("ERR Usernames can't contain spaces or null characters"),
            AclDeleteDefault => f.write_str("ERR The 'default' user cannot be removed"),
            AclUnknownCategory(name) => write!(f, "ERR Unknown category '{name}'"),
            AclGenpassBits => f.write_str("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096"),
            AclDryrunNoUser(name) => write!(f, "ERR User '{name}' not found"),
            AclDryrunNoCommand(name) => write!(f, "ERR Command '{name}' not found"),
            ProtectedMode => f.write_str("DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside."),
            MaxClients => f.write_str("ERR max number of clients reached"),
            AclLoad(errors) => write!(f, "ERR {errors}"),
            AclSave => f.write_str("ERR There was an error trying to save the ACLs. Please check the server logs for more information"),
            NoAclFile => f.write_str("ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration."),
            NotSdsString => f.write_str("ERR Not an sds encoded string."),
            NotListpack => f.write_str("ERR Not a listpack encoded object."),
            NotQuicklist => f.write_str("ERR Not a quicklist encoded object."),
            NotHashTable => f.write_str("ERR The value stored at the specified key is not represented using an hash table"),
            DebugDbOutOfRange => f.write_str("ERR Out of range database"),
            Mallctl(why) => write!(f, "ERR {why}"),
            ClientEvictionDisabled => f.write_str("ERR maxmemory-clients is disabled."),
            DebugNeedsCluster => f.write_str("ERR Debug option only available for cluster mode enabled setup!"),
            ConfigRewriteForceAll(why) => write!(f, "ERR CONFIG-REWRITE-FORCE-ALL failed: {why}"),
            Resp2NotSupported => f.write_str("ERR RESP2 is not supported by this command"),
            RestartFailed => f.write_str("ERR failed to restart the server. Check server logs."),
            ReplicaKeyspace => f.write_str("ERR Replica can't interact with the keyspace"),
            MonitorDenyBlocking => f.write_str("ERR MONITOR isn't allowed for DENY BLOCKING client"),
            PauseMode => f.write_str("ERR CLIENT PAUSE mode must be WRITE or ALL"),
            NoLatencySamples(event) => write!(f, "ERR No samples available for event '{event}'"),
            ReplconfUnknownOption(option) => write!(f, "ERR Unrecognized REPLCONF option: {option}"),
            ReplconfIpTooLong(len) => write!(f, "ERR REPLCONF ip-address provided by replica instance is too long: {len} bytes"),
            ReplconfFilterMissing => f.write_str("ERR Missing rdb-filter-only values"),
            ReplconfFilterUnsupported(filter) => write!(f, "ERR Unsupported rdb-filter-only option: {filter}"),
            FilteredReplicaNeedsEof => f.write_str("ERR Filtered replica requires EOF capability"),
            SyncPendingOutput => f.write_str("ERR SYNC and PSYNC are invalid with pending output"),
            PsyncFailoverToMaster => f.write_str("ERR PSYNC FAILOVER can't be sent to a master."),
            SyncWhileFailingOver => f.write_str("NOMASTERLINK Can't SYNC while failing over"),
            NoFailoverInProgress => f.write_str("ERR No failover in progress."),
            FailoverTimeoutNotPositive => f.write_str("ERR FAILOVER timeout must be greater than 0"),
            FailoverInProgress => f.write_str("ERR FAILOVER already in progress."),
            FailoverNoReplicas => f.write_str("ERR FAILOVER requires connected replicas."),
            FailoverForceNeedsTarget => f.write_str("ERR FAILOVER with force option requires both a timeout and target HOST and IP."),
            FailoverTargetNotReplica => f.write_str("ERR FAILOVER target HOST and PORT is not a replica."),
            FailoverTargetNotOnline => f.write_str("ERR FAILOVER target replica is not online."),
            ReadOnlyReplica => f.write_str("READONLY You can't write against a read only replica."),
            MasterDown => f.write_str("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."),
            InvalidMasterPort => f.write_str("ERR Invalid master port"),
            ReplicaOfByReplica => f.write_str("ERR Command is not valid when client is a replica."),
            UnblockedRoleChange => f.write_str("UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)"),
            ScriptReadOnlyReplica => f.write_str("READONLY Can not run script with write flag on readonly replica"),
            ReplicaOfWhileFailingOver => f.write_str("ERR REPLICAOF not allowed while failing over."),
            PsyncFailoverReplidMismatch => f.write_str("ERR PSYNC FAILOVER replid must match my replid."),
            NoMasterLinkForSync => f.write_str("NOMASTERLINK Can't SYNC while not connected with my master"),
            ScriptMasterDown => f.write_str("MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and 'allow-stale' flag is not set on the script."),
        }
    }
}

impl std::error::Error for Error {}
