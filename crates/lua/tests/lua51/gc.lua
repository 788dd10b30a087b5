-- The collector as scripts see it: weak tables after a full collection, the API's
-- return values, and objects surviving when referenced.
print(collectgarbage("collect"), type(collectgarbage("count")), collectgarbage("count") > 0)
local weakk = setmetatable({}, {__mode = "k"})
local weakv = setmetatable({}, {__mode = "v"})
local weakkv = setmetatable({}, {__mode = "kv"})
local keep = {}
for i = 1, 10 do
  local k, v = {}, {}
  weakk[k] = i weakv[i] = v weakkv[k] = v
  if i <= 3 then keep[i] = k keep[i + 10] = v end
end
weakv.str = "strings are not collected from weak tables"
weakv[100] = 42
collectgarbage()
local function count(t) local n = 0 for _ in pairs(t) do n = n + 1 end return n end
print(count(weakk), count(weakv), count(weakkv))
print(weakv.str, weakv[100], weakv[1] == keep[11], weakk[keep[2]])
keep = nil collectgarbage()
print(count(weakk), count(weakv), count(weakkv))
local cache = setmetatable({}, {__mode = "v"})
local function memo(n) local r = cache[n] if not r then r = {n} cache[n] = r end return r end
local held = memo(1) memo(2) collectgarbage()
print(cache[1] == held, cache[2])
local cycle = {} cycle.self = cycle
local ref = setmetatable({}, {__mode = "k"}) ref[cycle] = true cycle = nil collectgarbage()
print(next(ref))
local t = {} for i = 1, 1000 do t[i] = {i} end t = nil collectgarbage()
print(collectgarbage("count") < 10000)
local co = coroutine.create(function() local x = {} coroutine.yield(x) end)
local _, x = coroutine.resume(co)
local wk = setmetatable({[x] = 1}, {__mode = "k"}) x = nil collectgarbage()
print(count(wk))
co = nil collectgarbage()
print(count(wk))
