-- struct (pack, unpack, size) as Redis bundles it.
-- Expected output: redis-server 7.0.15 EVAL (tests/regen-golden).
local out = {}
local function add(...) local t = {} for i = 1, select('#', ...) do t[i] = tostring((select(i, ...))) end out[#out + 1] = table.concat(t, " ") end
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local function p(...) local ok, r = pcall(struct.pack, ...) add(ok and hex(r) or r) end
p("b", 1) p("b", -1) p("B", 255) p("B", 256) p("h", -2) p(">h", -2) p("<H", 0x1234) p(">H", 0x1234)
p("i", 1) p(">i", 1) p("I", 2^32 - 1) p("l", -1) p(">L", 2^40) p("T", 7) p("i3", 0x123456) p(">i3", 0x123456)
p("i16", -1) p("I16", 1) p("f", 1.5) p(">f", 1.5) p("d", 0.1) p(">d", -0.1) p("x") p("bxb", 1, 2)
p("c3", "abcdef") p("c0", "dyn") p("s", "zero") p("c", "x") p("c5", "ab") p("i33", 1) p("!3i", 1) p("q", 1)
p("!4bi", 1, 2) p("!bi", 1, 2) p("!8bd", 1, 1.5) p("!2bh", 1, 2) p("<i>i", 1, 1) p(" b b ", 1, 2) p("b")
p("i99999999999", 1) p("b", "x") p("B", -1) p("b", 300) p("I", -1) p("i", 2^31) p("L", 2^64)
local function u(fmt, data, pos)
  local r = {pcall(struct.unpack, fmt, data, pos)}
  add(unpack(r))
end
local packed = struct.pack(">ibhd", 1000000, -5, 300, 2.5)
u(">ibhd", packed) u("<ibhd", packed) u(">i", packed, 5) u(">b", packed, 5) u(">i", packed, 20) u(">i", packed, 0)
u("b", "\255") u("B", "\255") u("h", "\255\255") u("H", "\255\255") u("i3", "\255\255\255") u("I3", "\255\255\255")
u("i16", string.rep("\255", 16)) u("I16", string.rep("\1", 16)) u("c3", "abcdef") u("c3c3", "abcdef")
u("s", "zero\0rest") u("ss", "a\0b\0") u("s", "unterminated") u("bc0", "\3abcd") u("c0", "abc") u("x", "a")
u("!4bi", struct.pack("!4bi", 7, 9)) u("f", struct.pack("f", 0.1)) u("d", struct.pack("d", 0.1)) u("z", "a") u("i", "abc")
add(struct.size("b"), struct.size("i"), struct.size("d"), struct.size("!8bd"), struct.size("bhilT"), struct.size("c10"), struct.size("!bxh"))
add(pcall(struct.size, "s")) add(pcall(struct.size, "c0")) add(struct.size("z"), pcall(struct.size, "z?")) add(pcall(struct.size, "!3"))
add(pcall(struct.pack)) add(pcall(struct.unpack, "b")) add(pcall(struct.unpack, "b", "x", "y"))
return table.concat(out, "\n")
