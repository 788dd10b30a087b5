-- Metatables: every Lua 5.1 metamethod, protection with __metatable, rawget/rawset,
-- __index/__newindex chains.
local V = {}
V.__index = V
V.__add = function(a, b) return setmetatable({x = a.x + b.x}, V) end
V.__sub = function(a, b) return setmetatable({x = a.x - b.x}, V) end
V.__mul = function(a, b) if type(b) == "number" then return setmetatable({x = a.x * b}, V) end return a.x * b.x end
V.__div = function(a, b) return "div" end
V.__mod = function(a, b) return "mod" end
V.__pow = function(a, b) return "pow" end
V.__unm = function(a) return setmetatable({x = -a.x}, V) end
V.__concat = function(a, b)
  local sa = type(a) == "table" and "V" .. a.x or tostring(a)
  local sb = type(b) == "table" and "V" .. b.x or tostring(b)
  return sa .. "&" .. sb
end
V.__eq = function(a, b) return a.x == b.x end
V.__lt = function(a, b) return a.x < b.x end
V.__le = function(a, b) return a.x <= b.x end
V.__call = function(self, y) return self.x + y end
V.__tostring = function(self) return "V(" .. self.x .. ")" end
V.__len = function() return 99 end
function V.new(x) return setmetatable({x = x}, V) end
local a, b = V.new(1), V.new(2)
print((a + b).x, (a - b).x, (a * 3).x, a * b, a / b, a % b, a ^ b, (-a).x)
print(a .. b, a .. "s", "s" .. a, 1 .. a, a .. b .. "z")
print(a == b, a == V.new(1), a ~= V.new(1), a < b, a <= b, a > b, a >= b)
print(a(10), tostring(a), #a)
local W = {__eq = function() return true end}
print(setmetatable({}, W) == setmetatable({}, W), setmetatable({}, W) == setmetatable({}, {__eq = W.__eq}))
print(setmetatable({}, W) == setmetatable({}, {__eq = function() return true end}))
local L = {__lt = function(x, y) return true end}
print(pcall(function() return setmetatable({}, L) <= setmetatable({}, L) end))
print(setmetatable({}, L) < setmetatable({}, L), setmetatable({}, L) > setmetatable({}, L))
local onlylt = {__lt = function(x, y) return x.v < y.v end}
local p, q = setmetatable({v = 1}, onlylt), setmetatable({v = 2}, onlylt)
print(p <= q, q <= p, p >= q)
print(pcall(function() return {} < setmetatable({}, onlylt) end))
local default = setmetatable({}, {__index = function(t, k) return k .. "?" end})
print(default.foo, default[1], rawget(default, "foo"))
local base = {greet = "hello"}
local mid = setmetatable({}, {__index = base})
local top = setmetatable({}, {__index = mid})
print(top.greet, top.nothing)
local log = {}
local proxy = setmetatable({}, {__newindex = function(t, k, v) log[#log + 1] = k; rawset(t, k, v * 2) end})
proxy.a = 1 proxy.b = 2 proxy.a = 10 print(proxy.a, proxy.b, table.concat(log, ","))
local store = {}
local redirect = setmetatable({}, {__newindex = store, __index = store})
redirect.x = 5 print(rawget(redirect, "x"), store.x, redirect.x)
local loop = setmetatable({}, {}) getmetatable(loop).__index = loop
print(pcall(function() return loop.x end))
local loop2 = setmetatable({}, {}) getmetatable(loop2).__newindex = loop2
print(pcall(function() loop2.x = 1 end))
local prot = setmetatable({}, {__metatable = "locked"})
print(getmetatable(prot), pcall(setmetatable, prot, {}))
print(getmetatable("abc").__index == string, getmetatable(1), getmetatable(print))
print(pcall(setmetatable, 1, {}))
print(pcall(setmetatable, {}, 1))
print(pcall(setmetatable, {}))
print(select('#', setmetatable({}, nil)))
local cnt = 0
local counted = setmetatable({}, {__index = function(t, k) cnt = cnt + 1; return cnt end})
print(counted.a, counted.a, counted.b)
local called = setmetatable({}, {__call = function(self, ...) return select('#', ...), ... end})
print(called(1, 2, 3), pcall(setmetatable({}, {__call = 1})))
print(pcall(function() local t = setmetatable({}, {}) return t() end))
local strmeta = getmetatable("")
print(("x"):upper(), pcall(function() return ("x").nope() end))
local cc = setmetatable({}, {__concat = function(a, b) return "cc" end})
print(cc .. 1, 1 .. cc, "a" .. "b" .. cc .. "d")
print(pcall(function() return {} .. "x" end))
print(pcall(function() local t = {} return "x" .. t end))
print(pcall(function() return 1 .. nil end))
local idx = setmetatable({}, {__index = "string"})
print(pcall(function() return type(idx.len) end))
local num = setmetatable({}, {__index = 5})
print(pcall(function() return num.x end))
local ud = newproxy(true)
getmetatable(ud).__len = function() return 7 end
getmetatable(ud).__index = function(_, k) return "ud." .. k end
getmetatable(ud).__tostring = function() return "UD" end
print(#ud, ud.field, tostring(ud), type(ud), newproxy(ud) ~= ud, getmetatable(newproxy(ud)) == getmetatable(ud))
print(type(newproxy()), getmetatable(newproxy()), pcall(newproxy, {}))
local ts = setmetatable({}, {__tostring = function() return 42 end})
print(tostring(ts), type(tostring(ts)))
print(pcall(print, ts))
local ts2 = setmetatable({}, {__tostring = function() return "ok" end})
print(ts2)
print(rawequal(V.new(1), V.new(1)), rawequal(a, a))
local eqcount = 0
local E = {__eq = function() eqcount = eqcount + 1 return false end}
local e1 = setmetatable({}, E)
print(e1 == e1, e1 == setmetatable({}, E), eqcount, e1 ~= 1)
local arith = setmetatable({}, {__add = function(x, y) return "added" end})
print(arith + 1, 1 + arith, "2" + arith, pcall(function() return arith - 1 end))
print(pcall(function() return {} + 1 end))
local mix = setmetatable({}, {__unm = function() return "neg" end, __len = function() return 0 end})
print(-mix, #mix)
