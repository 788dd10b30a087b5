-- The debug library's informational functions: traceback and getinfo.
print(debug.traceback("msg"))
print(debug.traceback("msg", 2))
print(debug.traceback())
print(debug.traceback(nil))
print(debug.traceback({}) ~= nil, type(debug.traceback({})))
local function inner() return debug.traceback("inner") end
local function outer() return inner() end
local function outer2() local r = inner() return r end
print(outer())
print(outer2())
local function deep(n) if n == 0 then return debug.traceback("deep") end return deep(n - 1) .. "" end
print(deep(30))
local info = debug.getinfo(1)
print(info.currentline, info.short_src, info.source, info.what, info.linedefined, info.namewhat, info.nups)
local function named() return debug.getinfo(1, "nSl") end
local i2 = named() print(i2.name, i2.namewhat, i2.what, i2.linedefined, i2.lastlinedefined, i2.currentline)
local i3 = debug.getinfo(print) print(i3.what, i3.source, i3.short_src, i3.currentline, i3.linedefined)
local i4 = debug.getinfo(named, "S") print(i4.what, i4.linedefined, i4.lastlinedefined, i4.currentline)
print(debug.getinfo(100), pcall(debug.getinfo, {}), pcall(debug.getinfo, 1, "?"))
local t = {} function t.method() return debug.getinfo(1, "n") end
local r = t.method() print(r.name, r.namewhat)
local r2 = t:method() print(r2.name, r2.namewhat)
local function up() return info end print(debug.getinfo(up, "u").nups)
local a, b = 1, 2
print((debug.getlocal(1, 1)), (debug.getlocal(1, 2)))
local function args(x, y) return debug.getlocal(1, 1), debug.getlocal(1, 2), debug.getlocal(1, 3) end
print(args(10, 20))
print(pcall(debug.getlocal, 50, 1))
local secret = 1
local function getsecret() return secret end
print(debug.getupvalue(getsecret, 1), debug.getupvalue(getsecret, 2))
print(debug.setupvalue(getsecret, 1, 99), getsecret(), secret)
print(type(debug.getregistry()), debug.getmetatable("").__index == string)
print(xpcall(function() local x = nil; return x.y end, debug.traceback))
local co = coroutine.create(function() coroutine.yield() end) coroutine.resume(co)
print(debug.traceback(co))
print(debug.traceback(co, "co msg"))
