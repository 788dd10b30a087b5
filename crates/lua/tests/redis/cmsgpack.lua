-- cmsgpack as Redis bundles it: packed bytes shown in hex (maps with one key only).
-- Expected output: redis-server 7.0.15 EVAL (tests/regen-golden).
local out = {}
local function add(...) local t = {} for i = 1, select('#', ...) do t[i] = tostring((select(i, ...))) end out[#out + 1] = table.concat(t, " ") end
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local function p(...) add(hex(cmsgpack.pack(...))) end
p(0) p(1) p(127) p(128) p(255) p(256) p(65535) p(65536) p(2^32 - 1) p(2^32) p(2^53) p(2^63) p(-2^63)
p(-1) p(-32) p(-33) p(-128) p(-129) p(-32768) p(-32769) p(-2^31) p(-2^31 - 1)
p(0.5) p(1.5) p(0.1) p(-0.25) p(1/3) p(1e300) p(1/0) p(-1/0) p(-0.0) p(3.4028234663852886e38)
p(true) p(false) p(nil) p("") p("a") p(string.rep("x", 31)) p(string.rep("x", 32)) p(string.rep("x", 255))
add(#cmsgpack.pack(string.rep("x", 256)), hex(cmsgpack.pack(string.rep("x", 256)):sub(1, 3)))
add(#cmsgpack.pack(string.rep("x", 65536)), hex(cmsgpack.pack(string.rep("x", 65536)):sub(1, 5)))
p({}) p({1, 2, 3}) p({1, nil, 3}) p({[1] = 1, [3] = 3}) p({a = 1}) p({{}}) p({{1}, {2}}) p({[0] = 1}) p({[1.5] = 1})
p({["k"] = {1, {x = true}}}) p(1, 2, 3) p("a", {1}, nil, false)
local big = {} for i = 1, 20 do big[i] = i end p(big)
local bigmap = {} for i = 1, 17 do bigmap[i * 2] = i end add(hex(cmsgpack.pack(bigmap)):sub(1, 6))
p(type) p(coroutine.create(function() end)) p(cjson.null)
local nest = {} local cur = nest for _ = 1, 20 do cur[1] = {} cur = cur[1] end p(nest)
local cyc = {} cyc[1] = cyc p(cyc)
add(pcall(cmsgpack.pack))
local function rt(...)
  local packed = cmsgpack.pack(...)
  local res = {cmsgpack.unpack(packed)}
  local t = {}
  for i = 1, select('#', ...) do
    local v = res[i]
    t[i] = type(v) == "table" and ("{" .. hex(cmsgpack.pack(v)) .. "}") or tostring(v)
  end
  add(#res, table.concat(t, ","))
end
rt(1, -1, 300, -300, 70000, -70000, 2^40, -2^40, 0.5, 1.1, "str", true, false)
rt({1, 2, {3, "x"}}, {k = "v"})
local function u(h)
  local s = h:gsub("%x%x", function(x) return string.char(tonumber(x, 16)) end)
  local r = {pcall(cmsgpack.unpack, s)}
  for i = 2, #r do if type(r[i]) == "table" then r[i] = "table#" .. #r[i] end end
  add(unpack(r))
end
u("cc80") u("d080") u("cd0100") u("d1ff00") u("d18080") u("ce80000000") u("d280000000")
u("cfffffffffffffffff") u("cf8000000000000000") u("d3ffffffffffffffff") u("d38000000000000000")
u("ca3fc00000") u("cb3ff8000000000000") u("c0") u("c2") u("c3") u("a3616263") u("d903616263") u("da0003616263")
u("db00000003616263") u("93010203") u("dc0002c3c2") u("81a161c3") u("de0001a162c2") u("90") u("80")
u("e0") u("ff") u("7f") u("00")
u("") u("cc") u("cd01") u("a5616263") u("93010") u("c1") u("c4") u("d4") u("92")
u("81c001") u("0102030405")
add(pcall(cmsgpack.unpack_one, cmsgpack.pack(1, 2, 3)))
add(pcall(cmsgpack.unpack_one, cmsgpack.pack(1, 2, 3), 1))
add(pcall(cmsgpack.unpack_one, cmsgpack.pack(1, 2, 3), 2))
add(pcall(cmsgpack.unpack_one, cmsgpack.pack(1), 5))
add(pcall(cmsgpack.unpack_one, cmsgpack.pack(1), -1))
add(pcall(cmsgpack.unpack_limit, cmsgpack.pack(1, 2, 3), 2))
add(pcall(cmsgpack.unpack_limit, cmsgpack.pack(1, 2, 3), 2, 2))
add(pcall(cmsgpack.unpack_limit, cmsgpack.pack(1, 2, 3), 0))
add(pcall(cmsgpack.unpack_limit, cmsgpack.pack(1, 2, 3), 5, 0))
add(pcall(cmsgpack.unpack_limit, cmsgpack.pack(1, 2, 3), -1))
add(pcall(cmsgpack.unpack_limit))
add(pcall(cmsgpack.unpack, {}))
add(select('#', cmsgpack.unpack(string.rep("\1", 7990))))
add(pcall(cmsgpack.unpack, string.rep("\1", 8000)))
add(pcall(cmsgpack.unpack, string.rep("\145", 4000) .. "\1"))
add(cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION)
return table.concat(out, "\n")
