//! What the console teaches about each command beyond the spec table: the 繁體中文 summary
//! (the English one is the spec row's `summary`) and one or two examples a learner runs in
//! one click from the docs panel. Both are ours, written for learners, not copied from
//! Redis's docs. Rows are keyed by the spec's names (`client|list` for a subcommand), and a
//! test fails when a spec row has no row here (or a row here names no command), so a new
//! command cannot ship without its summary in both languages.
//!
//! An example may hold several lines (set up a key, then use it): the console runs them in
//! order, as it runs a pasted pipeline.

/// One command's teaching notes.
#[derive(Debug)]
pub struct Notes {
    /// The spec's name: `set`, `client|list`.
    pub name: &'static str,
    /// The summary in 繁體中文.
    pub zh: &'static str,
    /// Commands to try, each possibly several lines.
    pub examples: &'static [&'static str],
}

const fn n(name: &'static str, zh: &'static str, examples: &'static [&'static str]) -> Notes {
    Notes { name, zh, examples }
}

/// The notes for `name` (the spec's lower-case name, `container|sub` for a subcommand).
pub fn notes(name: &str) -> Option<&'static Notes> {
    NOTES.iter().find(|row| row.name == name)
}

pub static NOTES: &[Notes] = &[
    // string
    n("set", "把字串存到鍵下；可選擇只在鍵存在（或不存在）時才存、設定存活時間，或傳回舊值。", &["SET greeting hello EX 60", "SET greeting hi XX GET"]),
    n("get", "傳回鍵下存的字串。", &["SET greeting hello\nGET greeting"]),
    n("getex", "傳回鍵的字串，同時設定或移除它的存活時間。", &["SET session abc\nGETEX session EX 30"]),
    n("getdel", "傳回鍵的字串並刪除這個鍵。", &["SET token once\nGETDEL token"]),
    n("getset", "把字串存到鍵下，並傳回被取代的舊字串。", &["SET counter 5\nGETSET counter 0"]),
    n("setnx", "只在鍵不存在時才把字串存進去。", &["SETNX lock owner-1\nSETNX lock owner-2"]),
    n("setex", "把字串存到鍵下，並以秒為單位設定存活時間。", &["SETEX otp 30 123456\nTTL otp"]),
    n("psetex", "把字串存到鍵下，並以毫秒為單位設定存活時間。", &["PSETEX flash 1500 hi\nPTTL flash"]),
    n("mget", "一次傳回多個鍵的字串。", &["MSET a 1 b 2\nMGET a b nosuch"]),
    n("mset", "一次把多個字串存到多個鍵下。", &["MSET city Taipei country Taiwan"]),
    n("msetnx", "一次存多個鍵，但只要有任何一個鍵已存在就全部不存。", &["MSETNX x 1 y 2", "MSETNX y 3 z 4"]),
    n("incr", "把鍵下的整數加一。", &["INCR visits"]),
    n("decr", "把鍵下的整數減一。", &["SET stock 10\nDECR stock"]),
    n("incrby", "把鍵下的整數加上一個整數。", &["INCRBY score 15"]),
    n("decrby", "把鍵下的整數減去一個整數。", &["SET stock 10\nDECRBY stock 3"]),
    n("incrbyfloat", "把鍵下的數字加上一個小數，以 80 位元精度計算。", &["SET price 10.5\nINCRBYFLOAT price 0.1"]),
    n("append", "在鍵的字串後面接上位元組；鍵不存在就先建立。", &["APPEND log hello\nAPPEND log \" world\""]),
    n("strlen", "傳回鍵的字串長度（位元組數）。", &["SET name 台北\nSTRLEN name"]),
    n("getrange", "傳回鍵的字串在兩個位元組位置之間的一段。", &["SET text \"Hello World\"\nGETRANGE text 0 4"]),
    n("substr", "傳回鍵的字串的一段（GETRANGE 的舊名）。", &["SET text \"Hello World\"\nSUBSTR text -5 -1"]),
    n("setrange", "從某個位元組位置開始覆寫鍵的字串，不足處補零位元組。", &["SET text \"Hello World\"\nSETRANGE text 6 Redis"]),
    n("lcs", "找出兩個鍵的字串的最長共同子序列。", &["MSET s1 ohmytext s2 mynewtext\nLCS s1 s2", "MSET s1 ohmytext s2 mynewtext\nLCS s1 s2 LEN"]),
    // generic
    n("del", "刪除一個或多個鍵，傳回實際存在而被刪除的數量。", &["MSET a 1 b 2\nDEL a b c"]),
    n("unlink", "像 DEL 一樣刪除鍵，但在背景回收記憶體。", &["SET big value\nUNLINK big"]),
    n("exists", "計算給定的鍵中有幾個存在；重複的鍵重複計算。", &["SET a 1\nEXISTS a a nosuch"]),
    n("type", "傳回鍵所存值的型別；鍵不存在則為 none。", &["RPUSH queue job\nTYPE queue"]),
    n("expire", "以秒為單位設定鍵的存活時間。", &["SET temp x\nEXPIRE temp 10\nTTL temp"]),
    n("pexpire", "以毫秒為單位設定鍵的存活時間。", &["SET temp x\nPEXPIRE temp 2500\nPTTL temp"]),
    n("expireat", "讓鍵在某個以秒表示的 Unix 時間過期。", &["SET temp x\nEXPIREAT temp 4102444800\nEXPIRETIME temp"]),
    n("pexpireat", "讓鍵在某個以毫秒表示的 Unix 時間過期。", &["SET temp x\nPEXPIREAT temp 4102444800000\nPEXPIRETIME temp"]),
    n("ttl", "傳回鍵剩下的存活時間（秒）。", &["SET temp x EX 100\nTTL temp", "TTL nosuch"]),
    n("pttl", "傳回鍵剩下的存活時間（毫秒）。", &["SET temp x PX 1500\nPTTL temp"]),
    n("expiretime", "傳回鍵將過期的 Unix 時間（秒）。", &["SET temp x EX 100\nEXPIRETIME temp"]),
    n("pexpiretime", "傳回鍵將過期的 Unix 時間（毫秒）。", &["SET temp x EX 100\nPEXPIRETIME temp"]),
    n("persist", "移除鍵的存活時間，讓它永不過期。", &["SET temp x EX 100\nPERSIST temp\nTTL temp"]),
    n("keys", "一次走遍整個鍵空間，傳回所有符合萬用字元樣式的鍵名（會阻塞）。", &["MSET user:1 a user:2 b\nKEYS user:*"]),
    n("scan", "依游標逐批走訪鍵空間，每次只看少數幾個鍵。", &["MSET user:1 a user:2 b\nSCAN 0 MATCH user:* COUNT 100"]),
    n("rename", "改鍵名；新名稱已存在就覆蓋它。", &["SET old v\nRENAME old new\nGET new"]),
    n("renamenx", "只在新名稱沒被占用時才改鍵名。", &["MSET a 1 b 2\nRENAMENX a b"]),
    n("copy", "把鍵的值和存活時間複製到另一個鍵，可在同一或另一個資料庫。", &["SET src hello\nCOPY src dst\nGET dst"]),
    n("touch", "更新鍵的最後存取時間，傳回存在的鍵數。", &["SET a 1\nTOUCH a nosuch"]),
    n("randomkey", "隨機傳回一個鍵名。", &["MSET a 1 b 2 c 3\nRANDOMKEY"]),
    n("dbsize", "傳回目前資料庫的鍵數。", &["DBSIZE"]),
    n("flushdb", "刪除目前資料庫的所有鍵。", &["FLUSHDB"]),
    n("flushall", "刪除所有資料庫的所有鍵。", &["FLUSHALL"]),
    n("select", "讓這條連線切換到另一個編號的資料庫。", &["SELECT 1", "SELECT 0"]),
    n("swapdb", "交換兩個資料庫的內容，對所有連線同時生效。", &["SET where db0\nSWAPDB 0 1\nGET where"]),
    n("move", "把鍵搬到另一個資料庫，除非那裡已有同名的鍵。", &["SET traveller hi\nMOVE traveller 1"]),
    n("object", "檢查鍵的值如何儲存的一組子命令。", &["OBJECT HELP"]),
    n("object|encoding", "傳回 Redis 7.0 會以哪種編碼在記憶體中存放鍵的值。", &["SET n 123\nOBJECT ENCODING n", "RPUSH l a b\nOBJECT ENCODING l"]),
    n("object|freq", "傳回鍵的對數存取頻率計數器（只用於 LFU 淘汰策略）。", &["CONFIG SET maxmemory-policy allkeys-lfu\nSET hot x\nOBJECT FREQ hot"]),
    n("object|idletime", "傳回鍵上次被讀寫後經過的秒數。", &["SET a 1\nOBJECT IDLETIME a"]),
    n("object|refcount", "傳回 Redis 7.0 對鍵的值會持有幾個參照。", &["SET a 1\nOBJECT REFCOUNT a"]),
    n("object|help", "列出 OBJECT 的子命令。", &["OBJECT HELP"]),
    // list
    n("lpush", "把元素加到串列的頭端；串列不存在就先建立。", &["LPUSH stack a b c\nLRANGE stack 0 -1"]),
    n("rpush", "把元素加到串列的尾端；串列不存在就先建立。", &["RPUSH queue a b c\nLRANGE queue 0 -1"]),
    n("lpushx", "只在串列已存在時才把元素加到頭端。", &["LPUSHX nosuch a", "RPUSH l b\nLPUSHX l a"]),
    n("rpushx", "只在串列已存在時才把元素加到尾端。", &["RPUSHX nosuch a", "RPUSH l a\nRPUSHX l b"]),
    n("lpop", "移除並傳回串列開頭的元素；清空後刪除串列。", &["RPUSH queue a b c\nLPOP queue", "RPUSH queue a b c\nLPOP queue 2"]),
    n("rpop", "移除並傳回串列結尾的元素；清空後刪除串列。", &["RPUSH queue a b c\nRPOP queue"]),
    n("llen", "傳回串列長度。", &["RPUSH queue a b c\nLLEN queue"]),
    n("lrange", "依索引（可從任一端數）傳回串列的一段元素。", &["RPUSH l a b c d\nLRANGE l 0 -1", "RPUSH l a b c d\nLRANGE l -2 -1"]),
    n("lindex", "傳回串列某個索引上的元素。", &["RPUSH l a b c\nLINDEX l -1"]),
    n("lset", "取代串列某個索引上的元素。", &["RPUSH l a b c\nLSET l 1 B\nLRANGE l 0 -1"]),
    n("linsert", "在第一個等於基準值的元素之前或之後插入元素。", &["RPUSH l a c\nLINSERT l BEFORE c b\nLRANGE l 0 -1"]),
    n("lrem", "移除等於某值的元素：從頭、從尾，或全部。", &["RPUSH l a x b x\nLREM l 0 x\nLRANGE l 0 -1"]),
    n("ltrim", "只保留串列的一段元素；什麼都不剩就刪除串列。", &["RPUSH l a b c d\nLTRIM l 0 1\nLRANGE l 0 -1"]),
    n("lpos", "傳回串列中符合元素的索引。", &["RPUSH l a b a\nLPOS l a COUNT 0"]),
    n("lmove", "從一個串列的一端彈出元素，推入另一個串列的一端。", &["RPUSH todo a b\nLMOVE todo done LEFT RIGHT"]),
    n("rpoplpush", "彈出串列最後一個元素，推入另一個串列的開頭。", &["RPUSH todo a b\nRPOPLPUSH todo done"]),
    n("lmpop", "從多個鍵中第一個非空的串列彈出元素。", &["RPUSH l2 a b\nLMPOP 2 l1 l2 LEFT COUNT 2"]),
    // hash
    n("hset", "設定雜湊的欄位，必要時建立雜湊；傳回新增的欄位數。", &["HSET user:1 name Ann age 30"]),
    n("hsetnx", "只在欄位不存在時才設定雜湊的欄位。", &["HSETNX user:1 name Ann\nHSETNX user:1 name Bob"]),
    n("hmset", "設定雜湊的欄位（較舊的 HSET，回覆 OK）。", &["HMSET user:1 name Ann age 30"]),
    n("hget", "傳回雜湊某個欄位的值。", &["HSET user:1 name Ann\nHGET user:1 name"]),
    n("hmget", "傳回雜湊多個欄位的值。", &["HSET user:1 name Ann age 30\nHMGET user:1 name email"]),
    n("hgetall", "傳回雜湊的所有欄位和值。", &["HSET user:1 name Ann age 30\nHGETALL user:1"]),
    n("hdel", "刪除雜湊的欄位；清空後刪除雜湊。", &["HSET user:1 name Ann age 30\nHDEL user:1 age"]),
    n("hexists", "判斷欄位是否存在於雜湊中。", &["HSET user:1 name Ann\nHEXISTS user:1 name"]),
    n("hincrby", "把雜湊欄位中的整數加上一個整數。", &["HINCRBY stats views 1"]),
    n("hincrbyfloat", "把雜湊欄位中的數字加上一個小數，以 80 位元精度計算。", &["HINCRBYFLOAT stats ratio 0.5"]),
    n("hkeys", "傳回雜湊的所有欄位名稱。", &["HSET user:1 name Ann age 30\nHKEYS user:1"]),
    n("hvals", "傳回雜湊的所有值。", &["HSET user:1 name Ann age 30\nHVALS user:1"]),
    n("hlen", "傳回雜湊的欄位數。", &["HSET user:1 name Ann age 30\nHLEN user:1"]),
    n("hstrlen", "傳回雜湊某個欄位值的長度。", &["HSET user:1 name Ann\nHSTRLEN user:1 name"]),
    n("hrandfield", "隨機傳回雜湊的欄位：正數個數不重複，負數個數可能重複。", &["HSET h a 1 b 2 c 3\nHRANDFIELD h 2 WITHVALUES"]),
    n("hscan", "依游標逐批走訪雜湊的欄位。", &["HSET h a 1 b 2\nHSCAN h 0"]),
    // set
    n("sadd", "把成員加入集合，必要時建立集合；傳回新加入的數量。", &["SADD tags redis db redis"]),
    n("srem", "從集合移除成員；傳回原本在集合中的數量。", &["SADD tags a b\nSREM tags a z"]),
    n("smembers", "傳回集合的所有成員。", &["SADD tags a b c\nSMEMBERS tags"]),
    n("sismember", "判斷成員是否屬於集合。", &["SADD tags a\nSISMEMBER tags a"]),
    n("smismember", "逐一判斷多個成員是否屬於集合。", &["SADD tags a\nSMISMEMBER tags a b"]),
    n("scard", "傳回集合的成員數。", &["SADD tags a b c\nSCARD tags"]),
    n("spop", "隨機移除並傳回集合的一個或多個成員。", &["SADD deck a b c\nSPOP deck"]),
    n("srandmember", "隨機傳回集合成員：正數個數不重複，負數個數可能重複。", &["SADD deck a b c\nSRANDMEMBER deck -5"]),
    n("smove", "把成員從一個集合移到另一個集合。", &["SADD from a\nSMOVE from to a"]),
    n("sinter", "傳回所有給定集合都有的成員。", &["SADD s1 a b c\nSADD s2 b c d\nSINTER s1 s2"]),
    n("sintercard", "計算多個集合交集的成員數，可在達到上限時停止。", &["SADD s1 a b c\nSADD s2 b c d\nSINTERCARD 2 s1 s2"]),
    n("sinterstore", "把多個集合的交集存到一個鍵；傳回它的大小。", &["SADD s1 a b\nSADD s2 b c\nSINTERSTORE both s1 s2"]),
    n("sunion", "傳回出現在任一給定集合中的成員。", &["SADD s1 a b\nSADD s2 b c\nSUNION s1 s2"]),
    n("sunionstore", "把多個集合的聯集存到一個鍵；傳回它的大小。", &["SADD s1 a b\nSADD s2 b c\nSUNIONSTORE all s1 s2"]),
    n("sdiff", "傳回第一個集合中不在其他集合裡的成員。", &["SADD s1 a b c\nSADD s2 b\nSDIFF s1 s2"]),
    n("sdiffstore", "把多個集合的差集存到一個鍵；傳回它的大小。", &["SADD s1 a b c\nSADD s2 b\nSDIFFSTORE only s1 s2"]),
    n("sscan", "依游標逐批走訪集合的成員。", &["SADD s a b c\nSSCAN s 0"]),
    // sorted set
    n("zadd", "加入帶分數的成員或更新其分數；NX、XX、GT、LT、CH、INCR 可調整行為。", &["ZADD board 100 ann 85 bob", "ZADD board GT CH 90 bob"]),
    n("zincrby", "把成員的分數加上增量（必要時加入成員）；傳回新分數。", &["ZINCRBY board 5 ann"]),
    n("zrem", "移除成員；傳回原本存在的數量。", &["ZADD board 1 a 2 b\nZREM board a z"]),
    n("zcard", "傳回成員數。", &["ZADD board 1 a 2 b\nZCARD board"]),
    n("zscore", "傳回成員的分數。", &["ZADD board 1.5 a\nZSCORE board a"]),
    n("zmscore", "傳回多個成員的分數。", &["ZADD board 1 a 2 b\nZMSCORE board a z"]),
    n("zrank", "傳回成員的排名，分數最低者為 0。", &["ZADD board 1 a 2 b\nZRANK board b"]),
    n("zrevrank", "傳回成員的排名，分數最高者為 0。", &["ZADD board 1 a 2 b\nZREVRANK board b"]),
    n("zcount", "計算分數落在範圍內的成員數。", &["ZADD board 1 a 2 b 3 c\nZCOUNT board (1 3"]),
    n("zlexcount", "計算字典序範圍內的成員數（所有分數相同時）。", &["ZADD words 0 a 0 b 0 c\nZLEXCOUNT words [b +"]),
    n("zrange", "依排名、分數或字典序範圍傳回成員，可正序或反序。", &["ZADD board 1 a 2 b 3 c\nZRANGE board 0 -1 WITHSCORES", "ZADD board 1 a 2 b 3 c\nZRANGE board (1 +inf BYSCORE"]),
    n("zrangestore", "把有序集合的一段範圍（如 ZRANGE 所選）存到另一個鍵。", &["ZADD board 1 a 2 b 3 c\nZRANGESTORE top board 0 1 REV"]),
    n("zrevrange", "依排名傳回成員，分數最高者在前。", &["ZADD board 1 a 2 b 3 c\nZREVRANGE board 0 1 WITHSCORES"]),
    n("zrangebyscore", "傳回分數在範圍內的成員，分數低者在前。", &["ZADD board 1 a 2 b 3 c\nZRANGEBYSCORE board 2 +inf"]),
    n("zrevrangebyscore", "傳回分數在範圍內的成員，分數高者在前。", &["ZADD board 1 a 2 b 3 c\nZREVRANGEBYSCORE board +inf 2"]),
    n("zrangebylex", "傳回字典序範圍內的成員（所有分數相同時）。", &["ZADD words 0 a 0 b 0 c\nZRANGEBYLEX words [b +"]),
    n("zrevrangebylex", "以反序傳回字典序範圍內的成員。", &["ZADD words 0 a 0 b 0 c\nZREVRANGEBYLEX words + [b"]),
    n("zremrangebyrank", "移除排名在範圍內的成員。", &["ZADD board 1 a 2 b 3 c\nZREMRANGEBYRANK board 0 0"]),
    n("zremrangebyscore", "移除分數在範圍內的成員。", &["ZADD board 1 a 2 b 3 c\nZREMRANGEBYSCORE board -inf 1"]),
    n("zremrangebylex", "移除字典序範圍內的成員。", &["ZADD words 0 a 0 b 0 c\nZREMRANGEBYLEX words - [a"]),
    n("zpopmin", "移除並傳回分數最低的成員。", &["ZADD board 1 a 2 b\nZPOPMIN board"]),
    n("zpopmax", "移除並傳回分數最高的成員。", &["ZADD board 1 a 2 b\nZPOPMAX board"]),
    n("zmpop", "從多個有序集合中第一個非空者彈出最低或最高的成員。", &["ZADD z2 1 a 2 b\nZMPOP 2 z1 z2 MIN"]),
    n("zrandmember", "隨機傳回成員：正數個數不重複，負數個數可能重複。", &["ZADD board 1 a 2 b 3 c\nZRANDMEMBER board 2 WITHSCORES"]),
    n("zunion", "傳回多個有序集合的聯集（一般集合的分數當作 1）。", &["ZADD z1 1 a 2 b\nZADD z2 3 b\nZUNION 2 z1 z2 WITHSCORES"]),
    n("zinter", "傳回多個有序集合的交集（一般集合的分數當作 1）。", &["ZADD z1 1 a 2 b\nZADD z2 3 b\nZINTER 2 z1 z2 AGGREGATE MAX WITHSCORES"]),
    n("zdiff", "傳回第一個有序集合中不在其他集合裡的成員。", &["ZADD z1 1 a 2 b\nZADD z2 3 b\nZDIFF 2 z1 z2"]),
    n("zunionstore", "把多個有序集合的聯集存到一個鍵；傳回它的大小。", &["ZADD z1 1 a\nZADD z2 2 b\nZUNIONSTORE all 2 z1 z2 WEIGHTS 1 10"]),
    n("zinterstore", "把多個有序集合的交集存到一個鍵；傳回它的大小。", &["ZADD z1 1 a 2 b\nZADD z2 3 b\nZINTERSTORE both 2 z1 z2"]),
    n("zdiffstore", "把多個有序集合的差集存到一個鍵；傳回它的大小。", &["ZADD z1 1 a 2 b\nZADD z2 3 b\nZDIFFSTORE only 2 z1 z2"]),
    n("zintercard", "計算多個有序集合交集的成員數，可在達到上限時停止。", &["ZADD z1 1 a 2 b\nZADD z2 3 b\nZINTERCARD 2 z1 z2"]),
    n("zscan", "依游標逐批走訪成員和分數。", &["ZADD board 1 a 2 b\nZSCAN board 0"]),
    n("sort", "排序串列、集合或有序集合的元素（或它們指向的鍵）；可把結果存成串列。", &["RPUSH nums 3 1 2\nSORT nums", "RPUSH names bob ann\nSORT names ALPHA STORE sorted"]),
    n("sort_ro", "排序串列、集合或有序集合的元素（或它們指向的鍵），不能 STORE 的 SORT。", &["RPUSH nums 3 1 2\nSORT_RO nums DESC"]),
    // blocking
    n("blpop", "彈出第一個非空串列的第一個元素；都空著就等待。", &["RPUSH jobs a\nBLPOP jobs 1"]),
    n("brpop", "彈出第一個非空串列的最後一個元素；都空著就等待。", &["RPUSH jobs a b\nBRPOP jobs 1"]),
    n("blmove", "把元素從一個串列移到另一個；來源空著就等待。", &["RPUSH todo a\nBLMOVE todo doing LEFT RIGHT 1"]),
    n("brpoplpush", "把串列最後一個元素彈出並推入另一個串列的開頭；來源空著就等待。", &["RPUSH todo a\nBRPOPLPUSH todo doing 1"]),
    n("blmpop", "從第一個非空串列彈出元素；都空著就等待。", &["RPUSH l2 a b\nBLMPOP 1 2 l1 l2 RIGHT"]),
    n("bzpopmin", "彈出第一個非空有序集合中分數最低的成員；都空著就等待。", &["ZADD board 1 a\nBZPOPMIN board 1"]),
    n("bzpopmax", "彈出第一個非空有序集合中分數最高的成員；都空著就等待。", &["ZADD board 1 a 2 b\nBZPOPMAX board 1"]),
    n("bzmpop", "從第一個非空有序集合彈出成員；都空著就等待。", &["ZADD z 1 a 2 b\nBZMPOP 1 1 z MAX"]),
    // pubsub
    n("subscribe", "收聽發布到頻道的訊息。", &["SUBSCRIBE news"]),
    n("unsubscribe", "停止收聽頻道；沒指定時停止收聽所有頻道。", &["UNSUBSCRIBE"]),
    n("psubscribe", "收聽發布到符合萬用字元樣式之頻道的訊息。", &["PSUBSCRIBE news.*"]),
    n("punsubscribe", "停止收聽樣式；沒指定時停止收聽所有樣式。", &["PUNSUBSCRIBE"]),
    n("ssubscribe", "收聽發布到分片頻道的訊息。", &["SSUBSCRIBE orders"]),
    n("sunsubscribe", "停止收聽分片頻道；沒指定時全部停止。", &["SUNSUBSCRIBE"]),
    n("publish", "發布訊息到頻道；傳回收到的訂閱者數。", &["PUBLISH news hello"]),
    n("spublish", "發布訊息到分片頻道；傳回收到的訂閱者數。", &["SPUBLISH orders new"]),
    n("pubsub", "檢查發布／訂閱狀態的一組子命令。", &["PUBSUB HELP"]),
    n("pubsub|channels", "列出有訂閱者的頻道；可只列符合樣式者。", &["PUBSUB CHANNELS"]),
    n("pubsub|numpat", "傳回有訂閱者的樣式數。", &["PUBSUB NUMPAT"]),
    n("pubsub|numsub", "傳回各頻道的訂閱者數（不計樣式訂閱）。", &["PUBSUB NUMSUB news"]),
    n("pubsub|shardchannels", "列出有訂閱者的分片頻道；可只列符合樣式者。", &["PUBSUB SHARDCHANNELS"]),
    n("pubsub|shardnumsub", "傳回各分片頻道的訂閱者數。", &["PUBSUB SHARDNUMSUB orders"]),
    n("pubsub|help", "列出 PUBSUB 的子命令。", &["PUBSUB HELP"]),
    // transactions
    n("multi", "開始交易：之後的命令排隊，直到 EXEC 才執行。", &["MULTI\nINCR a\nINCR a\nEXEC"]),
    n("exec", "執行排隊的命令，除非被 WATCH 的鍵已改變。", &["MULTI\nSET a 1\nGET a\nEXEC"]),
    n("discard", "丟棄排隊的命令並結束交易。", &["MULTI\nSET a 1\nDISCARD"]),
    n("watch", "讓下一個 EXEC 只在這些鍵都沒被改動時才執行。", &["WATCH balance\nMULTI\nINCRBY balance 10\nEXEC"]),
    n("unwatch", "忘掉所有被 WATCH 的鍵。", &["WATCH a\nUNWATCH"]),
    // connection
    n("ping", "測試伺服器是否回應。", &["PING", "PING hello"]),
    n("echo", "原樣傳回給定的字串。", &["ECHO \"你好\""]),
    n("quit", "回覆 OK 後關閉連線。", &["QUIT"]),
    n("reset", "重設連線：結束 MULTI、WATCH、訂閱和 MONITOR，回到 RESP2、資料庫 0、沒有名稱、default 使用者。", &["SELECT 1\nRESET"]),
    n("hello", "與伺服器交握：選擇協定（RESP2 或 RESP3），可同時驗證身分並命名連線。", &["HELLO 3", "HELLO 2"]),
    n("client", "關於用戶端連線的一組子命令。", &["CLIENT HELP"]),
    n("client|id", "傳回目前連線的唯一編號。", &["CLIENT ID"]),
    n("client|setname", "替目前連線命名；空字串會移除名稱。", &["CLIENT SETNAME learner\nCLIENT GETNAME"]),
    n("client|getname", "傳回目前連線的名稱；沒有名稱則為 nil。", &["CLIENT GETNAME"]),
    n("client|list", "列出所有連線，每條一行欄位。", &["CLIENT LIST"]),
    n("client|info", "傳回目前連線在 CLIENT LIST 中的那一行。", &["CLIENT INFO"]),
    n("client|kill", "關閉某個位址的連線，或所有符合條件的連線。", &["CLIENT KILL TYPE pubsub"]),
    n("client|unblock", "結束某個阻塞命令的等待，當作逾時或回傳錯誤。", &["CLIENT UNBLOCK 42"]),
    n("client|reply", "關掉（OFF）、打開（ON）或只略過下一個命令（SKIP）這個連線收到的回覆；訂閱確認和訊息照樣送達。", &["CLIENT REPLY SKIP"]),
    n("client|no-evict", "保護目前連線不被用戶端淘汰機制踢掉，或取消保護。", &["CLIENT NO-EVICT ON"]),
    n("client|tracking", "開啟或關閉伺服器協助的用戶端快取：讀過的鍵一被改動，伺服器就送出 invalidate 訊息，告訴用戶端該丟掉哪些快取。", &["HELLO 3\nCLIENT TRACKING ON\nSET price 10\nGET price\nSET price 12", "CLIENT TRACKING ON BCAST PREFIX user:"]),
    n("client|caching", "在 OPTIN（或 OPTOUT）追蹤模式下，指定下一個命令讀的鍵要（或不要）被追蹤。", &["HELLO 3\nCLIENT TRACKING ON OPTIN\nCLIENT CACHING YES\nGET price"]),
    n("client|getredir", "傳回追蹤訊息轉送到的用戶端編號：0 表示送給自己，-1 表示沒有開啟追蹤。", &["CLIENT GETREDIR"]),
    n("client|trackinginfo", "說明目前連線的追蹤狀態：模式旗標、轉送對象與 BCAST 前綴。", &["CLIENT TRACKING ON BCAST PREFIX user:\nCLIENT TRACKINGINFO"]),
    n("client|pause", "暫停所有用戶端的命令（ALL），或只暫停可能寫入的命令（WRITE），持續指定的毫秒數；期間主動過期和淘汰也停下。", &["CLIENT PAUSE 2000 WRITE\nGET k"]),
    n("client|unpause", "提前結束 CLIENT PAUSE，被擋住的命令依序執行。", &["CLIENT PAUSE 60000 WRITE\nCLIENT UNPAUSE"]),
    n("client|help", "列出 CLIENT 的子命令。", &["CLIENT HELP"]),
    // server
    n("config", "讀取和修改伺服器設定的一組子命令。", &["CONFIG HELP"]),
    n("config|get", "傳回名稱符合任一樣式的參數及其值。", &["CONFIG GET maxmemory*"]),
    n("config|set", "設定參數的新值：全部成功，或有一個被拒就全部不改。", &["CONFIG SET maxmemory 10mb maxmemory-policy allkeys-lru"]),
    n("config|resetstat", "重設 INFO 回報的統計（命中、未命中、已處理命令數……）。", &["CONFIG RESETSTAT"]),
    n("config|rewrite", "改寫設定檔；這裡沒有設定檔，所以會被拒絕。", &["CONFIG REWRITE"]),
    n("config|help", "列出 CONFIG 的子命令。", &["CONFIG HELP"]),
    n("info", "依區段傳回伺服器的資訊和統計。", &["INFO keyspace", "INFO memory"]),
    n("command", "描述每個命令：名稱、參數個數、旗標、鍵的位置等。", &["COMMAND COUNT"]),
    n("command|count", "傳回命令總數（不計子命令）。", &["COMMAND COUNT"]),
    n("command|list", "傳回所有命令名稱（含子命令），可篩選。", &["COMMAND LIST FILTERBY PATTERN z*"]),
    n("command|info", "描述指定的命令；沒指定時描述全部。", &["COMMAND INFO get set"]),
    n("command|docs", "傳回指定命令的說明文件；沒指定時傳回全部。", &["COMMAND DOCS get"]),
    n("command|getkeys", "傳回完整命令中哪些參數是鍵。", &["COMMAND GETKEYS MSET a 1 b 2"]),
    n("command|getkeysandflags", "傳回完整命令中哪些參數是鍵，以及命令如何使用每個鍵。", &["COMMAND GETKEYSANDFLAGS LMOVE src dst LEFT RIGHT"]),
    n("command|help", "列出 COMMAND 的子命令。", &["COMMAND HELP"]),
    n("lolwut", "顯示伺服器版本；加上 VERSION 5 或 6 則畫出舊版本的電腦藝術（隨機的方塊或城市天際線）。", &["LOLWUT", "LOLWUT VERSION 5 40"]),
    n("role", "說明這台伺服器在複寫中的角色：主節點、複寫偏移量，以及每個已上線複本的位址、埠和已確認的偏移量。", &["ROLE"]),
    n("time", "傳回伺服器的時鐘：Unix 秒數和該秒內的微秒數。", &["TIME"]),
    n("replicaof", "讓這台伺服器成為另一台主節點的複本並開始同步，或用 NO ONE 停止複寫、保留資料成為主節點。", &["REPLICAOF 127.0.0.1 6380\nROLE", "REPLICAOF NO ONE\nROLE"]),
    n("slaveof", "REPLICAOF 的舊名：成為另一台主節點的複本，或用 NO ONE 停止複寫。", &["SLAVEOF NO ONE"]),
    n("monitor", "把這個連線變成監看者：之後任何用戶端執行的每個命令都會收到一行記錄。", &["MONITOR"]),
    n("debug", "測試輔助：填滿鍵空間、查看值的儲存方式、關閉背景工作、讓某個步驟變慢、讓伺服器當機或重新啟動。需 enable-debug-command 允許。", &["DEBUG POPULATE 1000\nDBSIZE", "SET greeting hello\nDEBUG OBJECT greeting\nDEBUG SDSLEN greeting", "DEBUG HELP"]),
    n("memory", "記憶體診斷的一組子命令。", &["MEMORY HELP"]),
    n("memory|doctor", "輸出記憶體問題報告。", &["MEMORY DOCTOR"]),
    n("memory|purge", "要求記憶體配置器釋放記憶體；模型中沒有可釋放的。", &["MEMORY PURGE"]),
    n("memory|stats", "傳回記憶體使用的細節。", &["MEMORY STATS"]),
    n("memory|malloc-stats", "傳回記憶體配置器的統計；模型中沒有。", &["MEMORY MALLOC-STATS"]),
    n("memory|help", "列出 MEMORY 的子命令。", &["MEMORY HELP"]),
    n("memory|usage", "估計一個鍵和它的值占用多少記憶體（以 Redis 的 used_memory 計）。", &["SET greeting hello\nMEMORY USAGE greeting"]),
    n("slowlog", "慢查詢日誌的一組子命令。", &["SLOWLOG HELP"]),
    n("slowlog|help", "列出 SLOWLOG 的子命令。", &["SLOWLOG HELP"]),
    n("slowlog|get", "傳回慢查詢日誌最新的幾筆（預設 10 筆；-1 為全部）。", &["CONFIG SET slowlog-log-slower-than 0\nPING\nSLOWLOG GET 2"]),
    n("slowlog|reset", "清空慢查詢日誌。", &["SLOWLOG RESET"]),
    n("slowlog|len", "傳回慢查詢日誌的筆數。", &["SLOWLOG LEN"]),
    // authentication and ACL
    n("auth", "以密碼（或使用者名稱和密碼）驗證這條連線的身分。", &["ACL SETUSER alice on >s3cret ~* +@all\nAUTH alice s3cret\nACL WHOAMI"]),
    n("acl", "管理使用者與權限（ACL）的一組子命令。", &["ACL HELP"]),
    n("acl|cat", "列出 ACL 類別，或某個類別裡的命令。", &["ACL CAT", "ACL CAT string"]),
    n("acl|deluser", "刪除使用者，並關閉以他們身分登入的連線。", &["ACL SETUSER temp on >pw\nACL DELUSER temp"]),
    n("acl|dryrun", "模擬某個使用者執行命令，只檢查權限而不真的執行。", &["ACL SETUSER reader on >pw ~cache:* +get\nACL DRYRUN reader GET cache:1\nACL DRYRUN reader SET cache:1 x"]),
    n("acl|genpass", "產生一個隨機、安全的密碼。", &["ACL GENPASS", "ACL GENPASS 64"]),
    n("acl|getuser", "列出某個使用者的規則：狀態、密碼雜湊、命令、鍵和頻道。", &["ACL SETUSER reader on >pw ~cache:* +@read\nACL GETUSER reader"]),
    n("acl|help", "列出 ACL 的子命令。", &["ACL HELP"]),
    n("acl|list", "以 ACL 檔案的格式列出每個使用者的規則。", &["ACL LIST"]),
    n("acl|load", "從 ACL 檔案重新載入規則；這裡沒有 ACL 檔案，所以會被拒絕。", &["ACL LOAD"]),
    n("acl|log", "列出最近被 ACL 拒絕的事件（誰、哪個命令或鍵、為什麼）。", &["ACL LOG 10", "ACL LOG RESET"]),
    n("acl|save", "把規則寫入 ACL 檔案；這裡沒有 ACL 檔案，所以會被拒絕。", &["ACL SAVE"]),
    n("acl|setuser", "建立或修改使用者：啟用或停用、密碼、可用的命令、鍵和頻道。", &["ACL SETUSER cache-reader on >pw ~cache:* +@read\nACL GETUSER cache-reader"]),
    n("acl|users", "列出所有使用者名稱。", &["ACL USERS"]),
    n("acl|whoami", "傳回這條連線目前驗證的使用者名稱。", &["ACL WHOAMI"]),
    // latency
    n("latency", "延遲監控的一組子命令。", &["LATENCY HELP"]),
    n("latency|doctor", "分析記錄到的延遲尖峰，並給出可能的改善建議。", &["CONFIG SET latency-monitor-threshold 1\nLATENCY DOCTOR"]),
    n("latency|graph", "把某個事件的延遲樣本畫成 ASCII 圖表，標出每個樣本距今多久；沒有樣本時會回報錯誤。", &["CONFIG SET latency-monitor-threshold 1\nLATENCY GRAPH command"]),
    n("latency|latest", "傳回每個事件最近一次的延遲樣本和最大值。", &["CONFIG SET latency-monitor-threshold 100\nLATENCY LATEST"]),
    n("latency|history", "傳回某個事件的延遲樣本，最舊的在前。", &["LATENCY HISTORY command"]),
    n("latency|reset", "清除指定事件（或所有事件）的延遲樣本。", &["LATENCY RESET"]),
    n("latency|histogram", "傳回指定命令（不指定則所有命令）執行時間的累積分布，單位為微秒。", &["SET k v\nGET k\nLATENCY HISTOGRAM get set"]),
    n("latency|help", "列出 LATENCY 的子命令。", &["LATENCY HELP"]),
    // persistence
    n("dump", "把鍵的值序列化成 RDB 格式（附 RDB 版本和 CRC-64 檢查碼），可交給 RESTORE。", &["SET greeting hello\nDUMP greeting"]),
    n("restore", "用 DUMP 產生的序列化值建立鍵，並先檢查版本和檢查碼。", &["RESTORE copy 0 \"\\x00\\x05hello\\n\\x00cr\\xdfve4 \\n\"\nGET copy"]),
    n("save", "把整個鍵空間寫成 RDB 快照（在網頁裡存在記憶體中）。", &["SET greeting hello\nSAVE\nLASTSAVE"]),
    n("bgsave", "像 SAVE 一樣寫快照；Redis 會 fork 到背景去做，這裡在回覆前就做完。", &["BGSAVE"]),
    n("lastsave", "傳回上次成功儲存快照的 Unix 時間。", &["LASTSAVE"]),
    n("bgrewriteaof", "以目前鍵空間的快照重寫 append-only 日誌；這裡在回覆前就做完。", &["BGREWRITEAOF"]),
    n("shutdown", "（依設定或 SAVE 選項）儲存後停止伺服器；NOSAVE 則不存。", &["SHUTDOWN NOSAVE"]),
    n("replconf", "複本在同步前告訴主節點自己的埠、位址和能力，同步後用 ACK 回報處理到的複寫偏移量；由複本送出。", &["REPLCONF listening-port 6380 capa eof capa psync2"]),
    n("psync", "複本要求從某個複寫 ID 與偏移量接續；主節點的 backlog 還有那段歷史就回 +CONTINUE，否則回 +FULLRESYNC 並送出完整快照。", &["REPLCONF capa psync2\nPSYNC ? -1"]),
    n("sync", "舊式的複寫要求：取得完整快照和之後的寫入串流，不做部分重新同步。", &["SYNC"]),
    n("failover", "把主節點的角色交給一個複本：先暫停寫入，等複本收齊所有寫入，再讓它成為主節點、這台成為它的複本；ABORT 取消。沒有複本時會被拒絕。", &["FAILOVER", "FAILOVER TO 127.0.0.1 6380 TIMEOUT 5000"]),
    n("wait", "等到這個連線先前的寫入被指定數量的複本確認，或逾時（毫秒）為止；傳回確認的複本數。", &["SET balance 100\nWAIT 0 100", "WAIT 1 50"]),
    // functions
    n("function", "管理函式庫：載入、列出、刪除、匯出與匯入；FCALL 呼叫其中的函式。", &["FUNCTION LIST"]),
    n("function|load", "載入一個 Lua 函式庫（第一行 #!lua name=庫名），庫裡用 redis.register_function 登記函式；REPLACE 取代同名的庫。", &["FUNCTION LOAD REPLACE \"#!lua name=greet\\nredis.register_function('hello', function(keys, args) return 'hi ' .. (args[1] or 'there') end)\""]),
    n("function|list", "列出已載入的函式庫和其中的函式；WITHCODE 連程式碼一起列出，LIBRARYNAME 依名稱篩選。", &["FUNCTION LOAD REPLACE \"#!lua name=greet\\nredis.register_function('hello', function() return 'hi' end)\"\nFUNCTION LIST WITHCODE"]),
    n("function|delete", "刪除一個函式庫和它的所有函式。", &["FUNCTION LOAD REPLACE \"#!lua name=greet\\nredis.register_function('hello', function() return 'hi' end)\"\nFUNCTION DELETE greet"]),
    n("function|flush", "刪除所有函式庫。", &["FUNCTION FLUSH"]),
    n("function|dump", "把所有函式庫匯出成一段序列化資料，可在另一台伺服器用 FUNCTION RESTORE 匯入。", &["FUNCTION LOAD REPLACE \"#!lua name=greet\\nredis.register_function('hello', function() return 'hi' end)\"\nFUNCTION DUMP"]),
    n("function|restore", "匯入 FUNCTION DUMP 的資料；FLUSH 先清空、APPEND 只加入（預設，同名時失敗）、REPLACE 取代同名的庫。", &["FUNCTION RESTORE \"\\xf5@M#!lua name=greet\\nredis.register_function('hello', function() return 'hi' end)\\n\\x00m\\x06\\xa6W),\\xd7X\" REPLACE\nFCALL hello 0"]),
    n("function|stats", "顯示正在執行的函式（若有）和各引擎載入的庫與函式數量。", &["FUNCTION STATS"]),
    n("function|kill", "停止正在執行、而且還沒寫入任何資料的函式；沒有函式在執行時回答 NOTBUSY。", &["FUNCTION KILL"]),
    n("function|help", "列出 FUNCTION 的子命令。", &["FUNCTION HELP"]),
    n("fcall", "呼叫已載入函式庫中的函式：先給鍵的數量和鍵，再給其他參數；函式一次執行完。", &["FUNCTION LOAD REPLACE \"#!lua name=counter\\nredis.register_function('bump', function(keys, args) return redis.call('INCRBY', keys[1], args[1]) end)\"\nFCALL bump 1 visits 5"]),
    n("fcall_ro", "呼叫登記為 no-writes 的唯讀函式；函式若要寫入會被拒絕。", &["FUNCTION LOAD REPLACE \"#!lua name=reader\\nredis.register_function{function_name='peek', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}\"\nSET visits 7\nFCALL_RO peek 1 visits"]),
    // bitmaps
    n("setbit", "把字串中第 offset 個位元設成 0 或 1（字串不夠長會自動補零），傳回原本的位元。", &["SETBIT active:2026-12-07 42 1\nGETBIT active:2026-12-07 42"]),
    n("getbit", "傳回字串中第 offset 個位元；超出字串長度的位元都是 0。", &["SETBIT flags 7 1\nGETBIT flags 7\nGETBIT flags 100"]),
    n("bitcount", "計算字串中為 1 的位元數；可限定範圍，以位元組（BYTE）或位元（BIT）為單位。", &["SET key foobar\nBITCOUNT key\nBITCOUNT key 1 1\nBITCOUNT key 5 30 BIT"]),
    n("bitpos", "找出第一個為 0 或 1 的位元位置；可限定範圍，以位元組或位元為單位。", &["SET key \"\\xff\\xf0\\x00\"\nBITPOS key 0\nBITPOS key 1 2"]),
    n("bitop", "對多個字串做逐位元的 AND、OR、XOR 或 NOT，結果存到目的鍵，傳回其長度。", &["SETBIT day1 3 1\nSETBIT day1 5 1\nSETBIT day2 5 1\nBITOP AND both day1 day2\nBITCOUNT both"]),
    n("bitfield", "把字串當成一排任意寬度的整數來讀寫：GET、SET、INCRBY，以 OVERFLOW 決定溢位時 WRAP、SAT 或 FAIL。", &["BITFIELD scores SET u8 0 200 INCRBY u8 0 100\nBITFIELD scores OVERFLOW SAT INCRBY u8 0 100 GET u8 0"]),
    n("bitfield_ro", "BITFIELD 的唯讀版本，只接受 GET。", &["BITFIELD scores SET u8 #1 42\nBITFIELD_RO scores GET u8 #1"]),
    // hyperloglog
    n("pfadd", "把元素加入 HyperLogLog（最多約 12 KB 的基數估計），估計值有變動時傳回 1。", &["PFADD visitors:post:1 alice bob carol\nPFADD visitors:post:1 alice"]),
    n("pfcount", "傳回 HyperLogLog 估計的不重複元素數；給多個鍵時估計它們聯集的數量。", &["PFADD v1 a b c\nPFADD v2 c d\nPFCOUNT v1\nPFCOUNT v1 v2"]),
    n("pfmerge", "把多個 HyperLogLog 合併到目的鍵，得到聯集的估計。", &["PFADD v1 a b c\nPFADD v2 c d\nPFMERGE all v1 v2\nPFCOUNT all"]),
    n("pfdebug", "檢視 HyperLogLog 的內部：GETREG 列出暫存器、DECODE 顯示稀疏編碼、ENCODING 傳回編碼、TODENSE 轉成密集編碼。", &["PFADD v a b c\nPFDEBUG ENCODING v\nPFDEBUG DECODE v\nPFDEBUG TODENSE v\nPFDEBUG ENCODING v"]),
    n("pfselftest", "執行 HyperLogLog 實作的自我測試，通過時回答 OK。", &["PFSELFTEST"]),
    // geo
    n("geoadd", "把地點（經度、緯度、名稱）加入以 geohash 為分數的有序集合；NX、XX 限定新增或更新，CH 計算變更數。", &["GEOADD places 121.5654 25.0330 taipei101 120.3014 22.6273 kaohsiung\nGEOPOS places taipei101"]),
    n("geodist", "兩個地點間的距離，單位可為 m、km、mi 或 ft。", &["GEOADD places 121.5654 25.0330 taipei101 120.3014 22.6273 kaohsiung\nGEODIST places taipei101 kaohsiung km"]),
    n("geohash", "傳回地點的 11 字元 geohash 字串。", &["GEOADD places 121.5654 25.0330 taipei101\nGEOHASH places taipei101"]),
    n("geopos", "傳回地點的經度與緯度（從 geohash 還原，與存入的值有微小差距）。", &["GEOADD places 121.5654 25.0330 taipei101\nGEOPOS places taipei101 nowhere"]),
    n("geosearch", "找出圓形（BYRADIUS）或矩形（BYBOX）範圍內的地點，中心可以是某個成員或一組經緯度；可排序、限量並附上距離與座標。", &["GEOADD places 121.5654 25.0330 taipei101 121.5170 25.0478 station 120.3014 22.6273 kaohsiung\nGEOSEARCH places FROMLONLAT 121.54 25.04 BYRADIUS 5 km ASC WITHDIST"]),
    n("geosearchstore", "把 GEOSEARCH 的結果存到目的鍵；STOREDIST 改存距離當分數。", &["GEOADD places 121.5654 25.0330 taipei101 121.5170 25.0478 station\nGEOSEARCHSTORE near places FROMMEMBER station BYRADIUS 10 km STOREDIST\nZRANGE near 0 -1 WITHSCORES"]),
    n("georadius", "找出某經緯度周圍半徑內的地點（已由 GEOSEARCH 取代）；可用 STORE 存結果。", &["GEOADD places 121.5654 25.0330 taipei101 121.5170 25.0478 station\nGEORADIUS places 121.54 25.04 5 km WITHDIST"]),
    n("georadius_ro", "GEORADIUS 的唯讀版本，不接受 STORE。", &["GEOADD places 121.5654 25.0330 taipei101\nGEORADIUS_RO places 121.54 25.04 5 km"]),
    n("georadiusbymember", "找出某成員周圍半徑內的地點（已由 GEOSEARCH 取代）；可用 STORE 存結果。", &["GEOADD places 121.5654 25.0330 taipei101 121.5170 25.0478 station\nGEORADIUSBYMEMBER places station 10 km WITHDIST"]),
    n("georadiusbymember_ro", "GEORADIUSBYMEMBER 的唯讀版本，不接受 STORE。", &["GEOADD places 121.5654 25.0330 taipei101 121.5170 25.0478 station\nGEORADIUSBYMEMBER_RO places station 10 km"]),
    // streams
    n("xadd", "在串流尾端加入一筆項目（ID 加上欄位與值），必要時建立串流；* 讓 Redis 依時間產生 ID，MAXLEN ~ 可順便修剪舊項目。", &["XADD events * type post_created post_id 901", "XADD events MAXLEN ~ 1000 * type post_created post_id 902"]),
    n("xrange", "依 ID 範圍傳回串流的項目，由舊到新；- 和 + 代表最小和最大的 ID。", &["XADD events 1-1 type a\nXADD events 2-1 type b\nXRANGE events - +", "XADD events 1-1 type a\nXADD events 2-1 type b\nXRANGE events - + COUNT 1"]),
    n("xrevrange", "依 ID 範圍傳回串流的項目，由新到舊（先寫結束 ID 再寫開始 ID）。", &["XADD events 1-1 type a\nXADD events 2-1 type b\nXREVRANGE events + - COUNT 1"]),
    n("xlen", "傳回串流的項目數。", &["XADD events * type a\nXLEN events"]),
    n("xdel", "依 ID 刪除串流的項目，傳回實際找到並刪除的數量。", &["XADD events 1-1 type a\nXDEL events 1-1 9-9"]),
    n("xtrim", "刪除串流最舊的項目：MAXLEN 保留最新的幾筆，MINID 刪掉比某個 ID 小的；加上 ~ 只刪整個節點，較省力。", &["XADD events 1-1 type a\nXADD events 2-1 type b\nXTRIM events MAXLEN 1", "XADD events 1-1 type a\nXADD events 2-1 type b\nXTRIM events MINID 2"]),
    n("xread", "讀取一個或多個串流中某個 ID 之後的項目；加上 BLOCK 時，沒有新項目就等待（$ 代表只等之後新加入的）。", &["XADD events 1-1 type a\nXREAD COUNT 10 STREAMS events 0"]),
    n("xreadgroup", "以消費者群組中某個消費者的身分讀取：> 取得還沒交給任何人的新項目（並記入待確認清單），給 ID 則重讀自己待確認的項目。", &["XGROUP CREATE jobs workers $ MKSTREAM\nXADD jobs * task resize\nXREADGROUP GROUP workers alice COUNT 1 STREAMS jobs >"]),
    n("xgroup", "管理消費者群組的一組子命令。", &["XGROUP HELP"]),
    n("xgroup|create", "為串流建立消費者群組，從某個 ID 之後開始發送（$ 表示只發送之後的新項目）；MKSTREAM 在串流不存在時建立空串流。", &["XGROUP CREATE jobs workers $ MKSTREAM"]),
    n("xgroup|setid", "設定群組最後發送的 ID（和已讀計數），讓群組從別處重新開始讀。", &["XGROUP CREATE jobs workers $ MKSTREAM\nXGROUP SETID jobs workers 0"]),
    n("xgroup|destroy", "刪除消費者群組，連同它的消費者和待確認清單。", &["XGROUP CREATE jobs workers $ MKSTREAM\nXGROUP DESTROY jobs workers"]),
    n("xgroup|createconsumer", "在群組中建立一個消費者（XREADGROUP 第一次讀取時也會自動建立）。", &["XGROUP CREATE jobs workers $ MKSTREAM\nXGROUP CREATECONSUMER jobs workers alice"]),
    n("xgroup|delconsumer", "從群組刪除消費者，傳回它原本待確認的項目數；那些項目也從待確認清單中消失。", &["XGROUP CREATE jobs workers $ MKSTREAM\nXGROUP CREATECONSUMER jobs workers alice\nXGROUP DELCONSUMER jobs workers alice"]),
    n("xgroup|help", "列出 XGROUP 的子命令。", &["XGROUP HELP"]),
    n("xack", "確認群組已處理完某些項目，把它們從待確認清單移除，傳回原本待確認的數量。", &["XGROUP CREATE jobs workers $ MKSTREAM\nXADD jobs 1-1 task resize\nXREADGROUP GROUP workers alice STREAMS jobs >\nXACK jobs workers 1-1"]),
    n("xpending", "查看群組的待確認清單：摘要（數量、最小與最大 ID、各消費者的數量），或逐筆列出擁有者、閒置毫秒數和發送次數。", &["XGROUP CREATE jobs workers $ MKSTREAM\nXADD jobs 1-1 task resize\nXREADGROUP GROUP workers alice STREAMS jobs >\nXPENDING jobs workers", "XGROUP CREATE jobs workers $ MKSTREAM\nXADD jobs 1-1 task resize\nXREADGROUP GROUP workers alice STREAMS jobs >\nXPENDING jobs workers - + 10"]),
    n("xclaim", "把閒置夠久的待確認項目改交給另一個消費者，發送次數加一；用來接手當掉的消費者手上的工作。", &["XGROUP CREATE jobs workers $ MKSTREAM\nXADD jobs 1-1 task resize\nXREADGROUP GROUP workers alice STREAMS jobs >\nXCLAIM jobs workers bob 0 1-1"]),
    n("xautoclaim", "從某個 ID 開始掃描待確認清單，把閒置夠久的項目改交給另一個消費者，並傳回下次從哪裡繼續掃描。", &["XGROUP CREATE jobs workers $ MKSTREAM\nXADD jobs 1-1 task resize\nXREADGROUP GROUP workers alice STREAMS jobs >\nXAUTOCLAIM jobs workers bob 0 0-0 COUNT 10"]),
    n("xinfo", "查看串流、群組和消費者狀態的一組子命令。", &["XINFO HELP"]),
    n("xinfo|stream", "傳回串流的資訊：長度、節點數、最後產生的 ID、群組數、第一筆和最後一筆項目；FULL 連項目、群組和待確認清單都列出。", &["XADD events * type a\nXINFO STREAM events", "XGROUP CREATE jobs workers $ MKSTREAM\nXINFO STREAM jobs FULL"]),
    n("xinfo|groups", "列出串流的消費者群組：消費者數、待確認數、最後發送的 ID、已讀數和落後量（lag）。", &["XGROUP CREATE jobs workers $ MKSTREAM\nXINFO GROUPS jobs"]),
    n("xinfo|consumers", "列出群組的消費者：各自待確認的項目數和閒置毫秒數。", &["XGROUP CREATE jobs workers $ MKSTREAM\nXGROUP CREATECONSUMER jobs workers alice\nXINFO CONSUMERS jobs workers"]),
    n("xinfo|help", "列出 XINFO 的子命令。", &["XINFO HELP"]),
    n("xsetid", "設定串流最後產生的 ID（以及加入總數和最大已刪除 ID），例如複製串流時使用。", &["XADD events 1-1 type a\nXSETID events 5-0\nXINFO STREAM events"]),
    // scripting
    n("eval", "在伺服器上執行一段 Lua 腳本：KEYS 是它會用到的鍵，ARGV 是其他參數；腳本一次執行完，中間不會插入其他指令。", &["EVAL \"return redis.call('SET', KEYS[1], ARGV[1])\" 1 greeting hello", "EVAL \"local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n\" 1 hits 60"]),
    n("evalsha", "用 SHA1 摘要執行伺服器已快取的腳本（由 EVAL 或 SCRIPT LOAD 載入）；不認得時回答 NOSCRIPT。", &["SCRIPT LOAD \"return redis.call('GET', KEYS[1])\"\nSET greeting hi\nEVALSHA d3c21d0c2b9ca22f82737626a27bcaf5d288f99f 1 greeting"]),
    n("eval_ro", "執行一段只能讀取的 Lua 腳本；腳本裡的寫入指令會被拒絕。", &["SET greeting hi\nEVAL_RO \"return redis.call('GET', KEYS[1])\" 1 greeting"]),
    n("evalsha_ro", "用 SHA1 執行已快取的腳本，但只允許讀取。", &["SCRIPT LOAD \"return redis.call('GET', KEYS[1])\"\nEVALSHA_RO d3c21d0c2b9ca22f82737626a27bcaf5d288f99f 1 greeting"]),
    n("script", "管理伺服器腳本快取的一組子命令。", &["SCRIPT HELP"]),
    n("script|load", "把腳本載入快取但不執行，傳回之後給 EVALSHA 用的 SHA1。", &["SCRIPT LOAD \"return 1\""]),
    n("script|exists", "檢查哪些 SHA1 對應的腳本已在快取中，逐一回答 1 或 0。", &["SCRIPT LOAD \"return 1\"\nSCRIPT EXISTS e0e1f9fabfc9d4800c877a703b823ac0578ff8db ffffffffffffffffffffffffffffffffffffffff"]),
    n("script|flush", "清空腳本快取；之後的 EVALSHA 都會得到 NOSCRIPT。", &["SCRIPT FLUSH"]),
    n("script|kill", "停止正在執行、而且還沒寫入任何資料的腳本；已寫入的只能用 SHUTDOWN NOSAVE 停止。", &["SCRIPT KILL"]),
    n("script|debug", "設定下一個腳本的除錯模式；這裡沒有 Lua 除錯器，只接受 NO。", &["SCRIPT DEBUG NO"]),
    n("script|help", "列出 SCRIPT 的子命令。", &["SCRIPT HELP"]),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every spec row by its notes name: `set`, `client|list`.
    fn spec_names() -> Vec<(String, &'static keyspace::spec::CommandSpec)> {
        keyspace::spec::table()
            .flat_map(|spec| {
                std::iter::once((spec.name.to_string(), spec)).chain(
                    spec.subcommands
                        .iter()
                        .map(move |sub| (format!("{}|{}", spec.name, sub.name), sub)),
                )
            })
            .collect()
    }

    #[test]
    fn every_command_has_a_summary_in_both_languages_and_an_example() {
        for (name, spec) in spec_names() {
            assert!(
                !spec.summary.trim().is_empty(),
                "{name}: no English summary"
            );
            let notes = notes(&name).unwrap_or_else(|| panic!("{name}: no 繁體中文 summary"));
            assert!(
                !notes.zh.trim().is_empty(),
                "{name}: empty 繁體中文 summary"
            );
            assert!(!notes.examples.is_empty(), "{name}: no example");
        }
    }

    #[test]
    fn every_row_names_a_command_once() {
        let names: Vec<String> = spec_names().into_iter().map(|(name, _)| name).collect();
        for (i, row) in NOTES.iter().enumerate() {
            assert!(
                names.iter().any(|n| n == row.name),
                "{}: no such command",
                row.name
            );
            assert!(
                NOTES[..i].iter().all(|other| other.name != row.name),
                "{} twice",
                row.name
            );
        }
    }

    /// Each example runs, on a fresh engine, the command it documents, and no line of it is
    /// refused (but those whose refusal is the lesson: CONFIG REWRITE's with no file, SCRIPT
    /// KILL's with no script running).
    #[test]
    fn examples_run_their_command_without_errors() {
        use keyspace::{cli, spec, Config, Engine, ManualClock};
        for row in NOTES {
            for example in row.examples {
                let mut config = Config::default();
                config.set(b"enable-debug-command", b"yes", true).unwrap();
                let mut engine = Engine::new(config, Box::new(ManualClock::default()), 7);
                let client = engine.connect();
                let mut ran_it = false;
                for line in example.lines() {
                    let argv = cli::split_args(line.as_bytes())
                        .unwrap_or_else(|| panic!("{}: {line}", row.name));
                    // A container's example runs one of its subcommands.
                    ran_it |= spec::resolve(&argv).is_ok_and(|(_, name)| {
                        name == row.name || name.split('|').next() == Some(row.name)
                    });
                    let replies = engine.execute(client, &argv).into_replies();
                    let refused = replies.iter().any(|r| r.is_error());
                    // No file to rewrite, load or save, no script or function to kill, no
                    // latency spike to draw (no command here is slow): the refusal is the
                    // lesson.
                    let refusal_teaches = [
                        "config|rewrite",
                        "acl|load",
                        "acl|save",
                        "script|kill",
                        "function|kill",
                        "latency|graph",
                        // A lone engine has no replica to hand over to.
                        "failover",
                    ]
                    .contains(&row.name);
                    assert!(
                        !refused || refusal_teaches,
                        "{}: {line} was refused",
                        row.name
                    );
                }
                assert!(ran_it, "{}: {example:?} never runs it", row.name);
            }
        }
    }
}
