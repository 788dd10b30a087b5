-- Where C Lua's limits fall when Redis runs a script (one C level below it), and how
-- the errors read.
-- Expected output: redis-server 7.0.15 EVAL (tests/regen-golden).
local out = {}
local function add(...) local t = {} for i = 1, select('#', ...) do t[i] = tostring((select(i, ...))) end out[#out + 1] = table.concat(t, " ") end
local d = 0
local function rec() d = d + 1 rec() end
add(pcall(rec)) add(d)
d = 0 add(pcall(rec)) add(d)
local function co() d = d + 1 return coroutine.resume(coroutine.create(co)) end
d = 0 co() add(d)
local mt = {} mt.__index = function(t, k) d = d + 1 return setmetatable({}, mt)[k] end
d = 0 add(pcall(function() return setmetatable({}, mt).x end)) add(d)
local function pc() d = d + 1 return pcall(pc) end
d = 0 add(pc()) add(d)
add(xpcall(rec, function(m) return "handled: " .. m end))
add(xpcall(function() error("a") end, function(m) error("b") end))
add(pcall(string.rep, "x", -1))
add(pcall(unpack, {}, 1, 1e6))
add(pcall(string.byte, string.rep("x", 10000), 1, -1))
add(loadstring("return " .. string.rep("(", 300) .. "1" .. string.rep(")", 300)))
add(select('#', unpack({}, 1, 7990)))
return table.concat(out, "\n")
