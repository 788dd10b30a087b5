-- table.sort: Lua 5.1's quicksort (the order of equal elements, of comparator calls, and
-- its errors).
local function show(t) print(table.concat(t, " ")) end
local t = {5, 3, 8, 1, 9, 2, 7, 4, 6, 0} table.sort(t) show(t)
t = {5, 3, 8, 1, 9, 2, 7, 4, 6, 0} table.sort(t, function(a, b) return a > b end) show(t)
t = {"banana", "apple", "Cherry", "date", "apple"} table.sort(t) show(t)
t = {} table.sort(t) show(t)
t = {1} table.sort(t) show(t)
t = {2, 1} table.sort(t) show(t)
t = {3, 1, 2} table.sort(t) show(t)
local recs = {}
for i, name in ipairs({"d", "a", "c", "a", "b", "c", "a", "d", "b", "a", "e", "c"}) do
  recs[i] = {name = name, id = i}
end
table.sort(recs, function(x, y) return x.name < y.name end)
local out = {} for i, r in ipairs(recs) do out[i] = r.name .. r.id end show(out)
local calls = {}
t = {4, 2, 5, 1, 3}
table.sort(t, function(a, b) calls[#calls + 1] = a .. "<" .. b; return a < b end)
show(t) show(calls)
t = {} for i = 1, 100 do t[i] = (i * 37) % 101 end table.sort(t)
local ok = true for i = 2, 100 do ok = ok and t[i - 1] <= t[i] end print(ok, t[1], t[100])
t = {} for i = 1, 50 do t[i] = i % 5 end table.sort(t) show(t)
print(pcall(table.sort, {3, 1, "x"}))
print(pcall(table.sort, {{}, {}}))
print(pcall(table.sort, {1, 2, 3}, function(a, b) return true end))
t = {5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5} print(pcall(table.sort, t, function(a, b) return true end))
print(pcall(table.sort, {1, 2}, 3))
print(pcall(table.sort, nil))
print(pcall(table.sort, {3, 2, 1}, function(a, b) error("cmp " .. a) end))
local mt = {__lt = function(a, b) return a.v < b.v end}
t = {} for i, v in ipairs({3, 1, 2}) do t[i] = setmetatable({v = v}, mt) end
table.sort(t) print(t[1].v, t[2].v, t[3].v)
t = {3, 1, 2, nil, 5} print(pcall(table.sort, t))
