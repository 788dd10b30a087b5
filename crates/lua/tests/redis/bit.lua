-- LuaBitOp (bit) as Redis bundles it.
-- Expected output: redis-server 7.0.15 EVAL (tests/regen-golden).
local out = {}
local function add(...) local t = {} for i = 1, select('#', ...) do t[i] = tostring((select(i, ...))) end out[#out + 1] = table.concat(t, " ") end
add(bit.tobit(0), bit.tobit(1), bit.tobit(-1), bit.tobit(2^31), bit.tobit(2^32), bit.tobit(2^32 + 5), bit.tobit(-2^31 - 1))
add(bit.tobit(1.5), bit.tobit(2.5), bit.tobit(-1.5), bit.tobit(0/0), bit.tobit(1/0), bit.tobit("10"), bit.tobit(2^52 + 1))
add(bit.bnot(0), bit.bnot(-1), bit.bnot(5), bit.band(0xff, 0x0f), bit.band(-1, 0xf0f0, 0xff00))
add(bit.bor(1, 2, 4, 8), bit.bor(0x80000000, 1), bit.bxor(0xff, 0x0f), bit.bxor(5, 5, 5), bit.band(7), bit.bor(7))
add(bit.lshift(1, 0), bit.lshift(1, 31), bit.lshift(1, 32), bit.lshift(1, 33), bit.lshift(0xff, 4), bit.lshift(1, -1))
add(bit.rshift(-1, 0), bit.rshift(-1, 1), bit.rshift(-1, 31), bit.rshift(256, 4), bit.rshift(1, 33))
add(bit.arshift(-256, 4), bit.arshift(256, 4), bit.arshift(-1, 31), bit.arshift(0x80000000, 31))
add(bit.rol(0x12345678, 4), bit.rol(0x12345678, 0), bit.rol(0x12345678, 32), bit.ror(0x12345678, 4), bit.ror(1, 1))
add(bit.bswap(0x12345678), bit.bswap(-1), bit.bswap(0xff))
add(bit.tohex(255), bit.tohex(-1), bit.tohex(255, 2), bit.tohex(255, -4), bit.tohex(0x12345678, 20), bit.tohex(1, 0))
add(bit.tohex(0xabcdef, -8), bit.tohex(-1, -3), bit.tohex(2^32 + 15))
add(pcall(bit.tobit))
add(pcall(bit.tobit, "x"))
add(pcall(bit.band, 1, {}))
add(pcall(bit.tohex, 1, nil))
add(pcall(bit.lshift, 1))
add(bit.band(1, "3"), bit.tobit("0x10"), bit.tobit(" 7 "))
return table.concat(out, "\n")
