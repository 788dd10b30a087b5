-- Limits that end in a Lua error, never a crash: deep recursion (C Lua's CallInfo
-- growth decides where), C-call depth (metamethods, pcall, coroutines), huge results.
local depth = 0
local function rec() depth = depth + 1; rec() end
print(pcall(rec), depth)
depth = 0 print(pcall(rec), depth)
local function rec2() depth = depth + 1; return 1 + rec2() end
depth = 0 print(pcall(rec2), depth)
print(select(2, pcall(rec2)))
local d2 = 0
local mt = {} mt.__index = function(t, k) d2 = d2 + 1; return setmetatable({}, mt)[k] end
print(pcall(function() return setmetatable({}, mt).x end), d2)
d2 = 0
local function pc() d2 = d2 + 1; return pcall(pc) end
print(pc(), d2)
d2 = 0
local function cor() d2 = d2 + 1; return coroutine.resume(coroutine.create(cor)) end
print(cor(), d2)
d2 = 0
local ts = {} ts.__tostring = function(t) d2 = d2 + 1; return tostring(setmetatable({}, ts)) end
print(pcall(tostring, setmetatable({}, ts)), d2)
print(xpcall(rec, function(m) return "handled " .. m end))
d2 = 0
print(xpcall(function() error("first") end, function(m) d2 = d2 + 1; error("again") end), d2 > 0)
print(pcall(string.rep, "x", -1))
print(pcall(unpack, {}, 1, 10000))
print(pcall(function() return select('#', unpack({}, 1, 7990)) end))
print(pcall(string.byte, string.rep("x", 9000), 1, -1))
local co = coroutine.create(function() depth = 0; return pcall(rec) end)
print(coroutine.resume(co)) print(depth)
local t = {} for i = 1, 300 do t[i] = i end
print(select('#', unpack(t)))
local nested = "return " .. string.rep("{", 150) .. string.rep("}", 150)
print(type(loadstring(nested)))
print(loadstring("return " .. string.rep("(", 190) .. "1" .. string.rep(")", 190)) ~= nil)
print(loadstring("return " .. string.rep("(", 210) .. "1" .. string.rep(")", 210)))
local s = "x" for i = 1, 20 do s = s .. s end print(#s)
print(#table.concat({s, s}))
