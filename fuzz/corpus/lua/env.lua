-- The environment Redis gives scripts: which globals exist, protected globals,
-- read-only library tables, and how those errors read. (redis, KEYS and ARGV belong to
-- the engine and are not tested here.)
-- Expected output: redis-server 7.0.15 EVAL (tests/regen-golden).
local out = {}
local function add(...) local t = {} for i = 1, select('#', ...) do t[i] = tostring((select(i, ...))) end out[#out + 1] = table.concat(t, " ") end
for _, name in ipairs({"print", "dofile", "loadfile", "loadstring", "load", "getfenv", "setfenv", "gcinfo",
    "collectgarbage", "newproxy", "coroutine", "debug", "require", "module", "os", "io", "package", "unpack",
    "cjson", "bit", "struct", "cmsgpack", "math", "string", "table", "_G", "_VERSION", "select", "xpcall"}) do
  add(name, type(rawget(_G, name)))
end
add(pcall(function() return undefined_variable end))
add(pcall(function() undefined_function() end))
add(pcall(function() new_global = 1 end))
add(pcall(function() string.custom = 1 end))
add(pcall(function() math.pi = 3 end))
add(pcall(rawset, _G, "x", 1))
add(pcall(rawset, cjson, "x", 1))
add(pcall(setmetatable, _G, nil))
add(pcall(setmetatable, {}, {}) and "plain tables are writable")
local t = {} t.x = 1 add(t.x)
add(pcall(function() local s = string s.rep = nil end))
add(pcall(function() getmetatable("").__index = {} end))
add(_VERSION, type(coroutine.wrap), string.rep("ab", 2), math.floor(2.5), table.concat({1, 2}, ","))
add(pcall(loadstring("return undefined_in_chunk")))
add(loadstring("x = = 1"))
return table.concat(out, "\n")
